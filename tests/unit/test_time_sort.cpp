// TimeSort (service/time_sort.hpp): the contact centre's sort of a day's arrivals must give
// std::sort's order exactly, or the queues' results would change. Checked against std::sort on
// items whose payload shows any difference in order: many ties in time, times spread over many
// binary orders, one time for all, and the inputs on which TimeSort must fall back to std::sort
// itself (items the comparator cannot order, negative or infinite times).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "service/time_sort.hpp"

using cxsim::TimeSort;

namespace {

struct Item {
  double t;
  std::uint32_t id;       // with t, the comparator's keys
  std::uint32_t payload;  // not compared: shows where each input item went
};

struct Before {
  bool operator()(const Item& a, const Item& b) const { return a.t != b.t ? a.t < b.t : a.id < b.id; }
};

double time_of(const Item& item) {
  return item.t;
}

/// TimeSort's order and std::sort's of the same input, item by item (payloads included).
void same_as_std_sort(const std::vector<Item>& input, TimeSort<Item>& sort) {
  std::vector<Item> expected = input, got = input;
  std::sort(expected.begin(), expected.end(), Before{});
  sort(got, time_of, Before{});
  REQUIRE(got.size() == expected.size());
  std::size_t differ = 0;
  for (std::size_t k = 0; k < got.size(); ++k)
    differ +=
        got[k].t != expected[k].t || got[k].id != expected[k].id || got[k].payload != expected[k].payload;
  CHECK(differ == 0);
}

/// n items: times from `time`, ids unique unless `duplicate_ids`, payload = input position.
template <class Time>
std::vector<Item> items(std::size_t n, Time time, bool duplicate_ids, std::mt19937_64& rng) {
  std::vector<Item> out(n);
  std::vector<std::uint32_t> ids(n);
  for (std::size_t k = 0; k < n; ++k) ids[k] = static_cast<std::uint32_t>(k);
  std::shuffle(ids.begin(), ids.end(), rng);
  for (std::size_t k = 0; k < n; ++k)
    out[k] = {time(rng), duplicate_ids ? ids[k] % 7 : ids[k], static_cast<std::uint32_t>(k)};
  return out;
}

}  // namespace

TEST_CASE("TimeSort gives std::sort's order of a day's arrivals", "[time_sort]") {
  std::mt19937_64 rng(20261201);
  TimeSort<Item> sort;  // one sorter for all: buffers kept from call to call must not leak into results
  const double day = 86400.0 * 37;
  std::uniform_real_distribution<double> within_day(day, day + 86400.0);
  const auto any_second = [&](std::mt19937_64& r) { return within_day(r); };
  const auto whole_minutes = [&](std::mt19937_64& r) { return day + 60.0 * static_cast<double>(r() % 50); };
  const auto one_time = [&](std::mt19937_64&) { return 1234.5; };
  std::uniform_real_distribution<double> exponent(-1074, 1000);
  const auto many_orders = [&](std::mt19937_64& r) {
    const std::uint64_t pick = r() % 10;
    return pick == 0   ? 0.0
           : pick == 1 ? std::numeric_limits<double>::denorm_min() * static_cast<double>(r() % 9)
                       : std::exp2(exponent(r));
  };
  for (std::size_t n : {0, 1, 2, 100, 255, 256, 257, 5000, 70001}) {
    INFO("n = " << n);
    same_as_std_sort(items(n, any_second, false, rng), sort);
    same_as_std_sort(items(n, whole_minutes, false, rng), sort);  // long runs of equal times
    same_as_std_sort(items(n, one_time, false, rng), sort);
    same_as_std_sort(items(n, many_orders, false, rng), sort);
  }
}

TEST_CASE("TimeSort falls back to std::sort where only std::sort's order is defined", "[time_sort]") {
  std::mt19937_64 rng(7);
  TimeSort<Item> sort;
  const auto whole_minutes = [](std::mt19937_64& r) { return 60.0 * static_cast<double>(r() % 50); };
  // Items equal under the comparator (same time and id, other payloads): std::sort's own order.
  same_as_std_sort(items(20000, whole_minutes, true, rng), sort);
  // Times whose bits do not order as the values: negative, -0 (equal to +0), +infinity.
  std::uniform_real_distribution<double> signed_time(-1e6, 1e6);
  same_as_std_sort(items(
                       3000, [&](std::mt19937_64& r) { return signed_time(r); }, false, rng),
                   sort);
  same_as_std_sort(items(
                       3000, [](std::mt19937_64& r) { return r() % 2 ? -0.0 : 0.0; }, false, rng),
                   sort);
  same_as_std_sort(
      items(
          3000, [](std::mt19937_64& r) { return r() % 3 ? 5.0 : std::numeric_limits<double>::infinity(); },
          false, rng),
      sort);
}
