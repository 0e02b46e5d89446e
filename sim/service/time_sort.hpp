#pragma once
// Sorting a day's arrivals by time, in the order of a strict comparator whose first key is the
// time: a least-significant-digit radix sort of (time bits, index) pairs, then the comparator on
// the rare runs of equal times, then one gather of the items. The result is the comparator's order
// exactly, so it equals std::sort's whenever the comparator orders every pair of items (no two
// items equal under it); when two are equal, or a time is negative, NaN or infinite, it falls back
// to std::sort itself, so the order is std::sort's in every case. Radix passes cost O(n) each
// against std::sort's O(n log n) moves of whole items (contact_centre.cpp's arrivals are 64
// bytes): docs/performance.md, section 3.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cxsim {

/// Buffers a TimeSort keeps across calls (a day's arrivals), so a day allocates nothing.
template <class T>
class TimeSort {
 public:
  /// Below this many items std::sort is as fast: it is used directly.
  static constexpr std::size_t kSmall = 256;

  /// Sorts `items` as std::sort(items, before) would, given that before(a, b) orders first by
  /// time_of(a) < time_of(b).
  template <class TimeOf, class Before>
  void operator()(std::vector<T>& items, TimeOf time_of, Before before) {
    const std::size_t n = items.size();
    if (n < kSmall || !radix(items, time_of, before)) std::sort(items.begin(), items.end(), before);
  }

 private:
  struct Key {
    std::uint64_t bits;
    std::uint32_t index;
  };
  static constexpr int kDigit = 11;
  static constexpr std::size_t kBuckets = std::size_t{1} << kDigit;

  template <class TimeOf, class Before>
  bool radix(std::vector<T>& items, TimeOf time_of, Before before) {
    const std::size_t n = items.size();
    if (n > UINT32_MAX) return false;
    keys_.resize(n);
    std::uint64_t lo = UINT64_MAX, hi = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const double t = time_of(items[k]);
      // Finite and >= 0 (+0 only: -0 has the sign bit): the bits then order as the values do.
      if (!(t >= 0) || !std::isfinite(t) || std::signbit(t)) return false;
      const auto bits = std::bit_cast<std::uint64_t>(t);
      keys_[k] = {bits, static_cast<std::uint32_t>(k)};
      lo = std::min(lo, bits);
      hi = std::max(hi, bits);
    }
    // Only the bits in which the times differ are sorted on (a day's times share their top ~11).
    const int width = lo == hi ? 0 : 64 - std::countl_zero(lo ^ hi);
    const int passes = (width + kDigit - 1) / kDigit;
    if (passes > 0) {
      counts_.assign(static_cast<std::size_t>(passes) * kBuckets, 0);
      for (const Key& key : keys_)
        for (int p = 0; p < passes; ++p) ++counts_[p * kBuckets + digit(key.bits, p)];
      spare_.resize(n);
      for (int p = 0; p < passes; ++p) {
        std::uint32_t* const count = &counts_[p * kBuckets];
        if (count[digit(keys_[0].bits, p)] == n) continue;  // one bucket: this pass keeps the order
        std::uint32_t at = 0;
        for (std::size_t b = 0; b < kBuckets; ++b) {
          const std::uint32_t c = count[b];
          count[b] = at;
          at += c;
        }
        for (const Key& key : keys_) spare_[count[digit(key.bits, p)]++] = key;
        keys_.swap(spare_);
      }
    }
    // Equal times: the comparator decides. Two items it cannot order: std::sort's order, not ours.
    const auto by_item = [&](const Key& a, const Key& b) { return before(items[a.index], items[b.index]); };
    for (std::size_t k = 0; k + 1 < n;) {
      std::size_t end = k + 1;
      while (end < n && keys_[end].bits == keys_[k].bits) ++end;
      if (end - k > 1) {
        std::sort(keys_.begin() + static_cast<std::ptrdiff_t>(k),
                  keys_.begin() + static_cast<std::ptrdiff_t>(end), by_item);
        for (std::size_t m = k; m + 1 < end; ++m)
          if (!by_item(keys_[m], keys_[m + 1])) return false;
      }
      k = end;
    }
    sorted_.clear();
    sorted_.reserve(n);
    // The items are read in a random order: asked for ahead, so that their misses overlap.
    constexpr std::size_t kAhead = 16;
    for (std::size_t k = 0; k < n; ++k) {
      if (k + kAhead < n) __builtin_prefetch(&items[keys_[k + kAhead].index]);
      sorted_.push_back(items[keys_[k].index]);
    }
    items.swap(sorted_);
    return true;
  }

  static std::size_t digit(std::uint64_t bits, int pass) {
    return static_cast<std::size_t>(bits >> (pass * kDigit)) & (kBuckets - 1);
  }

  std::vector<Key> keys_, spare_;
  std::vector<std::uint32_t> counts_;
  std::vector<T> sorted_;
};

}  // namespace cxsim
