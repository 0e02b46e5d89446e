// The episode record (run.episodes) and the facts measured from it (kpi/facts.hpp): outcomes forced
// by parameters, sampling, the row cap, thread-count independence, the file round trip, and that
// recording changes no other result.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <tuple>

#include "core/errors.hpp"
#include "io/facts_format.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"
#include "kpi/facts.hpp"
#include "model/episodes.hpp"
#include "service/contact_centre.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

namespace {

auto fields(const EpisodeRow& e) {
  return std::tuple(e.customer, e.day_opened, e.day_closed, e.days_to_resolution, e.next_order_day,
                    e.attitude_before, e.attitude_after, e.stories_told, e.people_reached, e.segment,
                    e.touchpoint, e.severity, e.notified, e.contacts, e.channel, e.outcome, e.stay);
}

bool same_rows(const std::vector<EpisodeRow>& a, const std::vector<EpisodeRow>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (fields(a[k]) != fields(b[k])) return false;
  return true;
}

Params recorded_market(std::int64_t population = 6000, std::int64_t days = 150) {
  Params p = small_market(population, days);
  p.run_episodes = true;
  return p;
}

/// One channel (phone), open all day, everyone who has a problem calls.
void phone_only_everyone_calls(Params& p) {
  for (Segment& s : p.segments) s.contact_propensity = 1;
  p.chat_enabled = p.email_enabled = p.chatbot_enabled = false;
  p.phone_open_hour = 0;
  p.phone_close_hour = 24;
  p.contacts_probability_mild = p.contacts_probability_moderate = p.contacts_probability_severe = 1;
  p.contacts_loyalty_effect = 0;
}

bool resolved(EpisodeOutcome o) {
  return o == EpisodeOutcome::resolved_first_contact || o == EpisodeOutcome::resolved_later ||
         o == EpisodeOutcome::resolved_proactively;
}

}  // namespace

TEST_CASE("every row is consistent with itself", "[episodes]") {
  const auto r = simulate(recorded_market());
  REQUIRE(r.episodes.size() == 1);
  const auto& rows = r.episodes[0].rows;
  REQUIRE(rows.size() > 100);
  CHECK(r.episodes[0].rows_dropped == 0);
  std::size_t contacted = 0, churned = 0, stayed = 0;
  for (const EpisodeRow& e : rows) {
    CHECK(e.severity >= 1);
    CHECK(e.severity <= 3);
    CHECK((e.contacts == 0) == (e.channel == kEpisodeNoChannel));
    CHECK((e.days_to_resolution >= 0) == resolved(e.outcome));
    CHECK((e.outcome == EpisodeOutcome::open_at_end) == (e.day_closed == -1));
    if (e.day_closed >= 0) CHECK(e.day_closed >= e.day_opened);
    CHECK((e.stay == EpisodeStay::censored) == (e.next_order_day == -1));
    if (e.next_order_day >= 0) CHECK(e.next_order_day >= e.day_closed);  // same day: left with it open
    if (e.outcome == EpisodeOutcome::resolved_first_contact) CHECK(e.contacts == 1);
    if (e.outcome == EpisodeOutcome::given_up || e.outcome == EpisodeOutcome::abandoned)
      CHECK(e.contacts >= 1);
    CHECK(e.people_reached <= 255 * e.stories_told);
    contacted += e.contacts > 0;
    churned += e.stay == EpisodeStay::churned;
    stayed += e.stay == EpisodeStay::stayed;
  }
  CHECK(contacted > 0);
  CHECK(churned > 0);
  CHECK(stayed > 0);
}

TEST_CASE("with FCR 1 and ample staff every contacted problem is resolved at the first contact",
          "[episodes]") {
  Params p = recorded_market();
  phone_only_everyone_calls(p);
  p.phone_agents = 1000;
  p.phone_patience = "infinite";
  p.contact_centre_fcr = 1;
  p.contact_centre_rush_fcr_drop = 0;
  p.contact_centre_basic_accuracy = 1;
  const auto r = simulate(p);
  const auto& rows = r.episodes.at(0).rows;
  REQUIRE(rows.size() > 100);
  std::size_t first = 0;
  for (const EpisodeRow& e : rows) {
    if (e.outcome == EpisodeOutcome::open_at_end) continue;  // opened too late to call
    if (e.contacts == 0) {  // left at an order before the day it would have called
      CHECK(e.outcome == EpisodeOutcome::unresolved);
      CHECK(e.stay == EpisodeStay::churned);
      CHECK(e.next_order_day == e.day_closed);
      continue;
    }
    CHECK(e.outcome == EpisodeOutcome::resolved_first_contact);
    CHECK(e.channel == static_cast<std::uint8_t>(Channel::phone));
    first += e.outcome == EpisodeOutcome::resolved_first_contact;
  }
  CHECK(first > 100);
}

TEST_CASE("with the phone closed when customers call no problem is resolved", "[episodes]") {
  Params p = recorded_market();
  phone_only_everyone_calls(p);
  p.phone_close_hour = 1;  // open 0-1 only, while every call comes at noon: turned away
  p.contacts_arrival_profile.assign(24, 0);
  p.contacts_arrival_profile[12] = 1;
  const auto r = simulate(p);
  const auto& rows = r.episodes.at(0).rows;
  REQUIRE(rows.size() > 100);
  std::size_t abandoned = 0;
  for (const EpisodeRow& e : rows) {
    CHECK_FALSE(resolved(e.outcome));
    CHECK(e.outcome != EpisodeOutcome::given_up);  // nobody answered, so nobody was answered in vain
    abandoned += e.outcome == EpisodeOutcome::abandoned;
  }
  CHECK(abandoned > 0);
}

TEST_CASE("recording changes no other result, and a sample is the full record filtered", "[episodes]") {
  Params off = small_market(6000, 150);
  Params on = off;
  on.run_episodes = true;
  const auto a = simulate(off), b = simulate(on);
  REQUIRE(a.series.values.size() == b.series.values.size());
  CHECK(std::memcmp(a.series.values.data(), b.series.values.data(),
                    a.series.values.size() * sizeof(double)) == 0);
  CHECK(a.episodes.empty());

  Params sampled = on;
  sampled.run_episode_sample = 3;
  const auto c = simulate(sampled);
  std::vector<EpisodeRow> filtered;
  for (const EpisodeRow& e : b.episodes.at(0).rows)
    if (e.customer % 3 == 0) filtered.push_back(e);
  REQUIRE_FALSE(filtered.empty());
  CHECK(c.episodes.at(0).sample == 3);
  CHECK(same_rows(c.episodes.at(0).rows, filtered));

  Params capped = on;
  capped.run_episode_max_rows = 50;
  const auto d = simulate(capped);
  const auto& full = b.episodes.at(0).rows;
  REQUIRE(d.episodes.at(0).rows.size() == 50);
  CHECK(d.episodes.at(0).rows_dropped == full.size() - 50);
  CHECK(same_rows(d.episodes.at(0).rows, std::vector<EpisodeRow>(full.begin(), full.begin() + 50)));
}

TEST_CASE("the episode table is the same on 1, 2 and 8 threads", "[episodes][determinism]") {
  Params p = recorded_market(3 * 8192 + 1234, 90);  // several chunks of the parallel phase
  p.run_replications = 2;
  const auto one = simulate(p, 1);
  for (int threads : {2, 8}) {
    const auto other = simulate(p, threads);
    REQUIRE(other.episodes.size() == 2);
    for (int rep = 0; rep < 2; ++rep) {
      INFO("threads " << threads << ", replication " << rep);
      CHECK(one.episodes[rep].rows.size() > 100);
      CHECK(same_rows(one.episodes[rep].rows, other.episodes[rep].rows));
    }
  }
}

TEST_CASE("a recorder holding a block of customers records what one holding everyone records", "[episodes]") {
  // A partitioned run's rank holds customers [first, first + count), first a whole number of
  // chunks: its sampled customers' rows are those of the whole recorder, chunk by chunk.
  constexpr std::uint32_t kChunkSize = 8, kFirst = 16, kCount = 13, kSample = 3;
  EpisodeRecorder everyone, block;
  everyone.configure(true, kSample, 100, 40, kChunkSize);
  block.configure(true, kSample, 100, kCount, kChunkSize, kFirst);
  const auto act = [](EpisodeRecorder& r, std::uint32_t i, std::int32_t t) {
    if (!r.sampled(i)) return;
    r.open(i, t, 0, 1, 2, false, 0.5f, false, false, 0);
    if (i % 2 == 0) {
      r.closed(i, t + 1, EpisodeOutcome::unresolved, 2, 0.25f);
      r.purchase_occasion(i, t + 2, true);  // complete: a row of the day
    }
  };
  std::vector<EpisodeRow> expected, got;
  for (std::uint32_t i = kFirst + kCount; i-- > kFirst;) {  // any order within the day
    act(everyone, i, 5);
    act(block, i, 5);
  }
  expected = everyone.take_day();
  got = block.take_day();
  REQUIRE(got.size() == 2);  // 18, 21, 24 and 27 are sampled; 18 and 24 completed
  REQUIRE(expected.size() == got.size());
  for (std::size_t k = 0; k < got.size(); ++k) CHECK(got[k].customer == expected[k].customer);
  CHECK(got[0].customer == 18);  // chunk 2 (16-23) before chunk 3 (24-31)
  const auto attitude = [](std::uint32_t i) { return static_cast<float>(i); };
  const std::vector<EpisodeRow> open_everyone = everyone.take_current(attitude),
                                open_block = block.take_current(attitude);
  REQUIRE(open_block.size() == 2);  // 21 and 27, still open, in customer order
  CHECK(open_block[0].customer == 21);
  CHECK(open_block[1].customer == 27);
  CHECK(open_block[1].attitude_after == 27.0f);
  CHECK(open_everyone.size() == open_block.size());
  block.keep(got);
  block.keep(open_block);
  const EpisodeTable table = block.take_table();
  CHECK(table.rows.size() == 4);
  CHECK(table.sample == kSample);
}

TEST_CASE("the episode table survives the results file", "[episodes][io]") {
  Params p = recorded_market(4000, 120);
  p.run_replications = 2;
  const auto r = simulate(p);
  const auto dir = std::filesystem::temp_directory_path() / ("cxsim-episodes-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "e.h5").string();
  write_results(path, r, Provenance{"test", "", "", ""});
  const auto back = read_episodes(path);
  REQUIRE(back.has_value());
  CHECK(back->replications == 2);
  CHECK(back->sample == 1);
  std::vector<EpisodeRow> expected;
  std::vector<std::int32_t> reps;
  for (int rep = 0; rep < 2; ++rep)
    for (const EpisodeRow& e : r.episodes[rep].rows) {
      expected.push_back(e);
      reps.push_back(rep);
    }
  CHECK(back->replication == reps);
  CHECK(same_rows(back->rows, expected));
  CHECK(read_results(path).strategy("baseline")->has_episodes);

  // A run without the record has no table, and its facts say what they need.
  Params plain = p;
  plain.run_episodes = false;
  const auto path2 = (dir / "plain.h5").string();
  write_results(path2, simulate(plain), Provenance{"test", "", "", ""});
  CHECK_FALSE(read_episodes(path2).has_value());
  CHECK_THROWS_AS(read_episodes(path2, "nope"), InputError);
  const FactsInput input = read_facts_input(path2);
  CHECK_FALSE(input.has_episodes);
  for (const FactRow& f : measure_facts(input))
    if (f.id.rfind("tarp_", 0) == 0 || f.id == "retention_ratio_quick_vs_unresolved")
      CHECK(f.status == "needs run.episodes = true");
  std::filesystem::remove_all(dir);
}

TEST_CASE("facts from a constructed record", "[facts]") {
  FactsInput in;
  in.series = SeriesSet(1, 400);
  for (int d = 0; d < 400; ++d) {
    in.series.at(Metric::retention_12m, 0, d) = 0.8;
    in.series.at(Metric::stories_positive, 0, d) = 1;
    in.series.at(Metric::story_messages_positive, 0, d) = 4;
    in.series.at(Metric::stories_negative, 0, d) = 1;
    in.series.at(Metric::story_messages_negative, 0, d) = 7;
    in.series.at(Metric::wom_positive, 0, d) = 30;
    in.series.at(Metric::wom_negative, 0, d) = 10;
    in.series.at(Metric::contacts, 0, d) = 5;
    in.series.at(Metric::contacts_failure, 0, d) = 2;
    in.series.at(Metric::orders, 0, d) = 20;
    in.series.at(Metric::monthly_churn_rate, 0, d) = 0.02;
  }
  in.has_episodes = true;
  in.episode_replications = 1;
  // Moderate problems resolved at the first contact: 19 of 20 stay; silent ones: 2 of 5.
  const auto add = [&](int n, int stayed, std::uint8_t contacts, EpisodeOutcome outcome) {
    for (int k = 0; k < n; ++k) {
      EpisodeRow e;
      e.severity = 2;
      e.contacts = contacts;
      e.channel = contacts ? 0 : kEpisodeNoChannel;
      e.outcome = outcome;
      e.stay = k < stayed ? EpisodeStay::stayed : EpisodeStay::churned;
      in.episodes.push_back(e);
      in.episode_replication.push_back(0);
    }
  };
  add(20, 19, 1, EpisodeOutcome::resolved_first_contact);
  add(5, 2, 0, EpisodeOutcome::unresolved);
  const auto facts = measure_facts(in);
  const auto find = [&](const std::string& id) {
    for (const FactRow& f : facts)
      if (f.id == id) return f;
    FAIL("no fact " << id);
    return FactRow{};
  };
  CHECK(find("tarp_moderate_resolved_quickly").value == Approx(0.95));
  CHECK(find("tarp_moderate_resolved_quickly").status == "inside");
  CHECK(find("tarp_moderate_did_not_complain").value == Approx(0.4));
  CHECK(find("tarp_moderate_did_not_complain").status == "inside");
  CHECK(std::isnan(find("tarp_severe_resolved").value));
  CHECK(find("retention_ratio_quick_vs_unresolved").value == Approx(0.95 / 0.4));
  CHECK(find("retention_ratio_quick_vs_unresolved").status == "inside");
  CHECK(find("wom_reach_negative_vs_positive").value == Approx(7.0 / 4.0));
  CHECK(find("wom_frequency_positive_vs_negative").value == Approx(3.0));
  CHECK(find("contacts_per_order").value == Approx(0.25));
  CHECK(find("failure_demand_share").value == Approx(0.4));
  CHECK(find("monthly_churn").value == Approx(0.02));
  CHECK(find("monthly_churn").status == "inside");
  // CLV = m r / (1 + d - r): r 0.8 -> 0.85 at d = 0.1 gives (0.85 / 0.25) / (0.8 / 0.3) - 1 = 0.275.
  CHECK(find("clv_change_5_points_less_defection").value == Approx(0.275));
  CHECK(find("clv_change_5_points_less_defection").status == "inside");
}

TEST_CASE("touchpoints to offset a failure follow the value function", "[facts]") {
  Params p;
  p.segments = {Segment{}};  // one segment, E = 0.80
  p.quality_performance_sd = 1e-6;
  // lambda (E - x_moderate)^a / (x_normal - E)^a, with the defaults x_moderate = 0.45, x_normal = 0.89
  const double loss = 0.80 - p.quality_performance_moderate, gain = p.quality_performance_normal - 0.80;
  REQUIRE(loss > 0);
  REQUIRE(gain > 0);
  const double expected = 2.25 * std::pow(loss / gain, 0.88);
  CHECK(touchpoints_to_offset_failure(p, 0) == Approx(expected).epsilon(1e-4));
  // Each open day adds 2 x daily cost over a good touchpoint's gain w (x - E)^a.
  const double per_day =
      2 * p.quality_issue_daily_cost / (p.experience_attitude_weight * std::pow(gain, 0.88));
  CHECK(touchpoints_to_offset_failure(p, 30) == Approx(expected + 30 * per_day).epsilon(1e-4));
}
