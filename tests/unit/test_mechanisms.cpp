// The mechanisms of the daily step, one by one (sim/model/mechanisms/): each is called directly on
// a customer put into a known state, through ModelProbe (a friend of Model).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <set>

#include "model/model.hpp"
#include "model/network.hpp"

namespace cxsim {

struct ModelProbe {
  Model& m;
  Customers& c() { return m.c_; }
  /// The tag of the last story of the kind customer j heard (what tellers read).
  std::uint16_t& heard(std::uint32_t j, bool positive) { return m.heard_story(j, positive); }
  double experience(std::uint32_t i, double x, std::uint32_t sub = 0) {
    Stream rng(m.key_, Purpose::story_start, i, 0, sub);
    Model::Row acc{};
    return m.experience(i, x, rng, acc);
  }
  bool stays(std::uint32_t i, std::int32_t t) { return m.stays(i, t); }
  void close_remembered(std::uint32_t i, double made_good) { m.close_remembered(i, made_good); }
  void draw_touchpoints(std::uint32_t i, std::int32_t t, std::span<TouchpointDraw> out) const {
    m.draw_touchpoints(i, t, out);
  }
  void use_touchpoints(std::span<const TouchpointType> table) { m.touchpoint_types_ = table; }
  Model::Row touchpoints(std::uint32_t i, std::int32_t t) {
    Model::Row acc{};
    m.touchpoints(i, t, acc);
    return acc;
  }
  using Tenure = Model::Tenure;
  std::vector<Message> tell(std::uint32_t i, std::int32_t t) {
    Model::Chunk chunk;
    m.tell(i, t, chunk);
    return chunk.messages;
  }
  /// Stocks over windows of days: whether they are on, and whether they stay on however many
  /// customers change.
  bool& windows() { return m.window_; }
  bool& keep_windows() { return m.keep_windows_; }
  /// The most changes any chunk holds now.
  std::size_t most_changes() const {
    std::size_t most = 0;
    for (const auto& chunk : m.chunks_) most = std::max(most, chunk.changes.size());
    return most;
  }
  std::uint32_t pick_listener(std::uint32_t i, std::int32_t t) const {
    Stream rng(m.key_, Purpose::wom_targets, i, static_cast<std::uint64_t>(t), 0);
    return m.pick_listener(i, rng);
  }
};

}  // namespace cxsim

using namespace cxsim;

namespace {

Params tiny(std::int64_t n = 2000) {
  Params p;
  p.market_population = n;
  p.run_horizon_days = 30;
  p.market_initial_customer_share = 1.0;
  p.network_kind = "complete";
  p.segments = {Segment{}};
  return p;
}

Network complete(std::uint32_t n) {
  Network net;
  net.size = n;
  net.complete = true;
  return net;
}

constexpr RngKey kKey{77, 0};

/// Customer i at a purchase occasion on day 5: `attitude`, no failure pending, no problem open or
/// remembered, and the reference price the price (no price term).
void ready_to_decide(Customers& c, std::uint32_t i, const Params& p, float attitude) {
  c.attitude[i] = attitude;
  c.attitude_day[i] = 5;
  c.issue_severity[i] = Severity::none;
  c.record[i].flags = 0;
  c.record[i].attitude_pre = std::numeric_limits<float>::infinity();
  c.record[i].reference_price = static_cast<float>(p.purchase_price);
}

}  // namespace

TEST_CASE("experience: disconfirmation valued with loss aversion moves attitude and expectation",
          "[mechanisms]") {
  Params p = tiny(10);
  const Network net = complete(10);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  auto& c = probe.c();
  c.attitude[0] = 0;
  c.record[0].expectation = 0.8f;
  const double gain = probe.experience(0, 0.9);
  CHECK(gain == Approx(p.experience_attitude_weight * std::pow(0.1, p.experience_curvature)).epsilon(1e-5));
  CHECK(c.attitude[0] == Approx(gain).epsilon(1e-5));
  CHECK(c.record[0].expectation == Approx(0.8 + p.experience_expectation_adaptation * 0.1).epsilon(1e-6));
  c.record[0].expectation = 0.8f;
  const double loss = probe.experience(0, 0.7);
  // A shortfall of the same size weighs lambda times more (Tversky & Kahneman 1992).
  CHECK(loss == Approx(-p.experience_loss_aversion * gain).epsilon(1e-5));
}

TEST_CASE("churn: the share who stay at a purchase occasion is the logit of attitude", "[mechanisms]") {
  Params p = tiny(20000);
  const Network net = complete(20000);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  auto& c = probe.c();
  for (const float attitude : {-1.5f, 0.0f}) {
    int stayed = 0;
    for (std::uint32_t i = 0; i < c.size; ++i) {
      ready_to_decide(c, i, p, attitude);
      stayed += probe.stays(i, 5);
    }
    const double expected = 1 / (1 + std::exp(-(p.churn_base_logit + p.churn_attitude_weight * attitude)));
    const double se = std::sqrt(expected * (1 - expected) / c.size);
    INFO("attitude " << attitude);
    CHECK(std::abs(static_cast<double>(stayed) / c.size - expected) < 5 * se);
  }
}

TEST_CASE("churn: a problem weighs on the next purchase once, by the share of its loss not made good",
          "[mechanisms]") {
  Params p = tiny(20000);
  const Network net = complete(20000);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  auto& c = probe.c();
  const auto logistic = [](double x) { return 1 / (1 + std::exp(-x)); };
  const double b0 = p.churn_base_logit;
  REQUIRE(p.churn_trigger_severe > 1);
  REQUIRE(p.churn_trigger_moderate > 1);
  // Each case sets every customer's problem, then counts who stay at two occasions in a row.
  struct Case {
    const char* what;
    std::function<void(std::uint32_t)> set;
    double first, second;
  };
  const std::vector<Case> cases = {
      {"severe problem still open, not notified",
       [&](std::uint32_t i) { c.issue_severity[i] = Severity::severe; },
       logistic(b0 - p.churn_trigger_severe), logistic(b0)},  // weighed once while open
      {"severe problem open but notified: the firm is fixing it",
       [&](std::uint32_t i) {
         c.issue_severity[i] = Severity::severe;
         c.record[i].flags |= notified_issue;
       },
       logistic(b0), logistic(b0)},
      {"moderate problem resolved, a third of its loss made good",
       [&](std::uint32_t i) {
         c.issue_severity[i] = Severity::moderate;
         probe.close_remembered(i, 1.0 / 3);
       },
       logistic(b0 - p.churn_trigger_moderate * 2 / 3), logistic(b0)},
      {"mild problem nobody resolved (given up)",
       [&](std::uint32_t i) {
         c.issue_severity[i] = Severity::mild;
         probe.close_remembered(i, 0);
       },
       logistic(b0 - p.churn_trigger_mild), logistic(b0)},
      {"severe problem fixed at once: the paradox above 1 counts as 1",
       [&](std::uint32_t i) {
         c.issue_severity[i] = Severity::severe;
         probe.close_remembered(i, 1.05);
       },
       logistic(b0), logistic(b0)},
  };
  for (const Case& k : cases) {
    int stayed[2] = {0, 0};
    for (std::uint32_t i = 0; i < c.size; ++i) {
      ready_to_decide(c, i, p, 0);
      k.set(i);
      stayed[0] += probe.stays(i, 5);
      stayed[1] += probe.stays(i, 6);
    }
    INFO(k.what);
    for (int occasion = 0; occasion < 2; ++occasion) {
      const double expected = occasion == 0 ? k.first : k.second;
      const double se = std::sqrt(expected * (1 - expected) / c.size);
      INFO("occasion " << occasion + 1);
      CHECK(std::abs(static_cast<double>(stayed[occasion]) / c.size - expected) < 5 * se + 1e-9);
    }
  }
}

TEST_CASE("touchpoints: failure rates come from the table's registry parameters", "[mechanisms]") {
  Params p = tiny(20000);
  p.quality_late_delivery_rate = 0.2;
  p.quality_billing_error_rate = 0;
  p.quality_defect_rate = 0;
  p.quality_confusion_rate = 0.5;
  const Network net = complete(20000);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  int failed[2] = {0, 0};
  const std::uint32_t n = 20000;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::array<TouchpointDraw, 2> d{};
    probe.draw_touchpoints(i, 3, d);
    failed[0] += d[0].failed;
    failed[1] += d[1].failed;
  }
  CHECK(std::abs(failed[0] / double(n) - 0.2) < 5 * std::sqrt(0.2 * 0.8 / n));
  CHECK(std::abs(failed[1] / double(n) - 0.5) < 5 * std::sqrt(0.25 / n));
  // An order with two failing touchpoints opens one issue and counts two problems.
  p.quality_late_delivery_rate = p.quality_confusion_rate = 1;
  Model sure(p, net, kKey);
  ModelProbe sure_probe{sure};
  const auto acc = sure_probe.touchpoints(0, 3);
  CHECK(acc[static_cast<int>(Metric::issues_opened)] == 2);
  CHECK(sure_probe.c().issue_severity[0] != Severity::none);
}

TEST_CASE("touchpoints: a new row shifts no other random stream", "[mechanisms]") {
  Params p = tiny(500);
  p.quality_late_delivery_rate = p.quality_billing_error_rate = p.quality_defect_rate =
      p.quality_confusion_rate = 0.3;
  const Network net = complete(500);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  // The table with one more touchpoint type (a "returns" touchpoint reading existing rates).
  static constexpr TouchpointType kWithReturns[] = {
      kTouchpoints[0],
      kTouchpoints[1],
      {"returns",
       {{{"refund_late", &Params::quality_late_delivery_rate, &Params::proactive_detect_late_delivery},
         {}}}}};
  Model extended(p, net, kKey);
  ModelProbe extended_probe{extended};
  extended_probe.use_touchpoints(kWithReturns);
  int third_failed = 0;
  for (std::uint32_t i = 0; i < 500; ++i)
    for (std::int32_t t = 0; t < 20; ++t) {
      std::array<TouchpointDraw, 2> before{};
      std::array<TouchpointDraw, 3> after{};
      probe.draw_touchpoints(i, t, before);
      extended_probe.draw_touchpoints(i, t, after);
      for (int k = 0; k < 2; ++k) {
        REQUIRE(after[k].failed == before[k].failed);
        REQUIRE(after[k].detection == before[k].detection);
        REQUIRE(after[k].severity_u == before[k].severity_u);
        REQUIRE(after[k].good == before[k].good);
      }
      third_failed += after[2].failed;
      // The stories the first touchpoints start draw from the same sub-streams as before.
    }
  // The new row draws for itself (about 30% of 10,000 orders fail there).
  CHECK(std::abs(third_failed / 10000.0 - 0.3) < 5 * std::sqrt(0.21 / 10000));
  // Other mechanisms' streams do not depend on the table at all: the same listener is picked.
  for (std::uint32_t i = 0; i < 50; ++i)
    CHECK(probe.pick_listener(i, 4) == extended_probe.pick_listener(i, 4));
}

TEST_CASE("touchpoints: the historical rows keep their streams (delivery then use)", "[mechanisms]") {
  // The first two rows draw late, billing, defect, confusion, then both severities, then both
  // performances from the order's two streams: the order the golden baseline was made with.
  Params p = tiny(10);
  p.quality_late_delivery_rate = 0.5;
  p.quality_billing_error_rate = 0.5;
  p.quality_defect_rate = 0.5;
  p.quality_confusion_rate = 0.5;
  const Network net = complete(10);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  std::array<TouchpointDraw, 2> d{};
  probe.draw_touchpoints(3, 7, d);
  Stream failures(kKey, Purpose::failure, 3, 7);
  const bool late = failures.bernoulli(0.5), billing = failures.bernoulli(0.5);
  const bool defect = failures.bernoulli(0.5), confusing = failures.bernoulli(0.5);
  CHECK(d[0].failed == (late || billing));
  CHECK(d[1].failed == (defect || confusing));
  CHECK(d[0].severity_u == failures.uniform());
  CHECK(d[1].severity_u == failures.uniform());
}

TEST_CASE("word of mouth: stifling stops this story, not the next one", "[mechanisms]") {
  Params p = tiny(3);
  p.wom_audience_delight = 70;  // 10 tellings a day over story_days = 7
  const Network net = complete(3);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  auto& c = probe.c();
  // Customer 0 tells story 7; both others already know story 5 (another good story).
  c.record[0].tells_positive = 200;
  c.record[0].story_positive = 7;
  probe.heard(1, true) = probe.heard(2, true) = 5;
  const auto told = probe.tell(0, 1);
  REQUIRE_FALSE(told.empty());  // knowing story 5 does not stop story 7
  for (const Message& m : told) CHECK(m.story == 7);
  CHECK(c.record[0].tells_positive == 200 - told.size());
  // Once a listener knows story 7, meeting it stops the story.
  probe.heard(1, true) = probe.heard(2, true) = 7;
  CHECK(probe.tell(0, 2).empty());
  CHECK(c.record[0].tells_positive == 0);
}

TEST_CASE("word of mouth: a teller tells each friend once, then acquaintances", "[mechanisms]") {
  // A ring of 200 with 10 ties each; no weak ties, so only running out of friends sends a telling
  // to an acquaintance.
  Params p = tiny(200);
  p.network_kind = "ring";
  p.network_weak_tie_share = 0;
  p.wom_audience_failure = 16 * 7;  // 16 tellings a day over story_days = 7
  NetworkSpec spec;
  spec.kind = NetworkKind::ring;
  spec.mean_degree = 10;
  const Network net = generate_network(spec, 200, kKey);
  REQUIRE(net.ties(50).size() == 10);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  auto& c = probe.c();
  for (const std::uint16_t story : {3, 999, 40000}) {
    c.record[50].tells_negative = 16;
    c.record[50].story_negative = story;
    const auto told = probe.tell(50, 1);
    INFO("story " << story);
    REQUIRE(told.size() == 16);  // nobody knew the story: no stifling
    std::set<std::uint32_t> friends;
    int acquaintances = 0;
    for (const Message& m : told) {
      const auto ties = net.ties(50);
      if (std::find(ties.begin(), ties.end(), m.target) != ties.end())
        friends.insert(m.target);
      else
        ++acquaintances;
    }
    CHECK(friends.size() == 10);  // every friend once
    CHECK(acquaintances == 6);
    for (std::uint32_t j = 0; j < 200; ++j) probe.heard(j, false) = 0;
  }
}

TEST_CASE("word of mouth: tellings a day are Poisson, below one a day when the story is slow",
          "[mechanisms]") {
  Params p = tiny(1000);
  p.wom_audience_delight = 3.5;  // over 7 days: 0.5 tellings a day
  const Network net = complete(1000);
  Model model(p, net, kKey);
  ModelProbe probe{model};
  auto& c = probe.c();
  double told = 0;
  const int tellers = 1000;
  for (std::uint32_t i = 0; i < tellers; ++i) {
    c.record[i].tells_positive = 100;
    c.record[i].story_positive = static_cast<std::uint16_t>(1 + i);
    told += static_cast<double>(probe.tell(i, 3).size());
  }
  // Mean 0.5 a day, sd sqrt(0.5 / 1000).
  CHECK(std::abs(told / tellers - 0.5) < 5 * std::sqrt(0.5 / tellers));
}

TEST_CASE("tenure: the kept retention counts equal a scan of adoption days", "[mechanisms]") {
  // Customers adopt and churn at random over four years (several turns of the 366-day ring),
  // some on their adoption day, some as customers from before day 0; each day's counts must be
  // those of "active and adopted by t - 365 (t - 30)" over everyone. Fails if a cohort comes of
  // age on the wrong day, a churn is taken from the wrong count or a ring slot is reused uncleared.
  using Tenure = ModelProbe::Tenure;
  constexpr std::int32_t kNone = -1000;
  std::vector<std::int32_t> adopted(3000, kNone);  // kNone: not active
  Tenure tenure;
  for (std::size_t i = 0; i < 500; ++i) {
    adopted[i] = -1;
    tenure.adopted(-1);
  }
  Stream rng(RngKey{7, 0}, Purpose::initial_state, 0, 0);
  std::vector<std::int32_t> churned_once(adopted.size(), 0);
  for (std::int32_t t = 0; t < 1500; ++t) {
    for (int k = 0; k < 12; ++k) {  // the day's events, in phase 1
      const auto i = static_cast<std::size_t>(rng.uniform() * static_cast<double>(adopted.size()));
      if (adopted[i] == kNone && churned_once[i] == 0) {
        adopted[i] = t;
        tenure.adopted(t);
      } else if (adopted[i] != kNone) {
        tenure.churned(adopted[i]);
        adopted[i] = kNone;
        churned_once[i] = 1;  // churn is final
      }
    }
    tenure.count(t);
    std::int64_t year = 0, month = 0;
    for (const std::int32_t a : adopted) {
      year += a != kNone && a <= t - 365;
      month += a != kNone && a <= t - 30;
    }
    INFO("day " << t);
    REQUIRE(tenure.year == year);
    REQUIRE(tenure.month == month);
  }
}

namespace {

/// Steps `model` over its horizon, `change` applied before day `at`; the rows in the order handed
/// over, how many had been handed over after each day, and the most changes a chunk held.
struct SteppedRows {
  std::vector<std::int32_t> days;
  std::vector<std::array<double, kMetricCount>> rows;
  std::vector<std::size_t> after_day;
  std::size_t most_changes = 0;
};
SteppedRows step_all(Model& model, std::int32_t horizon, const Params& change, std::int32_t at) {
  SteppedRows out;
  const Model::RowSink sink = [&](std::int32_t day, std::span<const double, kMetricCount> row) {
    out.days.push_back(day);
    out.rows.emplace_back();
    std::copy(row.begin(), row.end(), out.rows.back().begin());
  };
  for (std::int32_t t = 0; t < horizon; ++t) {
    if (t == at) model.set_params(change, sink);
    model.step(t, sink);
    out.after_day.push_back(out.rows.size());
    out.most_changes = std::max(out.most_changes, ModelProbe{model}.most_changes());
  }
  return out;
}

/// How many rows differ from `daily`'s, bit for bit.
int differing_rows(const SteppedRows& daily, const SteppedRows& other) {
  if (daily.rows.size() != other.rows.size()) return -1;
  int differing = 0;
  for (std::size_t d = 0; d < daily.rows.size(); ++d)
    differing += std::memcmp(daily.rows[d].data(), other.rows[d].data(), sizeof(double) * kMetricCount) != 0;
  return differing;
}

/// Three chunks and a short one, two segments, an intervention on day 21 (inside a window) that
/// changes how attitude decays and who counts as a promoter.
struct WindowCase {
  Params p, later;
  static constexpr std::int32_t kDays = 61, kAt = 21;  // three whole windows and a part
  Network net;
  explicit WindowCase(bool busy) {
    p.market_population = 3 * Model::kChunk + 123;
    p.run_horizon_days = kDays;
    p.network_kind = "complete";
    p.segments.resize(2);
    p.segments[0].share = 0.6;
    p.segments[1].share = 0.4;
    p.segments[1].attitude_baseline = -0.4;
    if (busy) {  // every mechanism on: failures, contacts, proactive notices, churn, stories
      p.market_initial_customer_share = 0.4;
      p.proactive_enabled = true;
    } else {  // few customers change: a window's rows come at its end
      p.market_initial_customer_share = 0.02;
      p.purchase_interval_days = 2000;
      p.quality_defect_rate = p.quality_late_delivery_rate = p.quality_confusion_rate =
          p.quality_billing_error_rate = 0;
    }
    later = p;
    later.experience_memory_days = 20;
    later.survey_ltr_mid = 8.1;
    later.quality_defect_rate = busy ? 0.08 : 0;
    net = complete(static_cast<std::uint32_t>(p.market_population));
  }
  SteppedRows daily() const {
    Model model(p, net, kKey);
    ModelProbe{model}.windows() = false;
    return step_all(model, kDays, later, kAt);
  }
};

std::vector<std::int32_t> each_day(std::int32_t days) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(days));
  for (std::int32_t t = 0; t < days; ++t) out[static_cast<std::size_t>(t)] = t;
  return out;
}

}  // namespace

TEST_CASE("stocks counted over windows of days are the daily counts, bit for bit", "[mechanisms][stocks]") {
  constexpr auto kDays = WindowCase::kDays;
  SECTION("few changes: the rows of 16 days at a time, and before the intervention") {
    const WindowCase c(false);
    const SteppedRows daily = c.daily();
    Model model(c.p, c.net, kKey);
    const SteppedRows windowed = step_all(model, kDays, c.later, WindowCase::kAt);
    CHECK(ModelProbe{model}.windows());  // stayed on
    CHECK(windowed.days == each_day(kDays));
    for (std::int32_t t = 0; t < kDays; ++t) {
      INFO("day " << t);
      const std::size_t expected = t < 15 ? 0 : t < 21 ? 16 : t < 36 ? 21 : t < 52 ? 37 : t < 60 ? 53 : 61;
      CHECK(windowed.after_day[static_cast<std::size_t>(t)] == expected);
    }
    CHECK(differing_rows(daily, windowed) == 0);
    // Customers did change within windows, and the stocks moved.
    CHECK(windowed.most_changes > 0);
    const auto& last = daily.rows.back();
    CHECK(last[static_cast<int>(Metric::active_customers)] >
          daily.rows.front()[static_cast<int>(Metric::active_customers)]);
  }
  SECTION("every mechanism on, windows to the end, and left to itself") {
    const WindowCase c(true);
    const SteppedRows daily = c.daily();
    CHECK(daily.days == each_day(kDays));
    for (std::int32_t t = 0; t < kDays; ++t)
      CHECK(daily.after_day[static_cast<std::size_t>(t)] == std::size_t(t) + 1);
    const auto& last = daily.rows.back();
    CHECK(last[static_cast<int>(Metric::churned_customers)] > 0);
    CHECK(last[static_cast<int>(Metric::open_issues)] > 0);
    CHECK(last[static_cast<int>(Metric::mean_attitude)] !=
          daily.rows[20][static_cast<int>(Metric::mean_attitude)]);

    // Windows however many customers change: a window ends early, at the end of the day, once a
    // chunk holds more than kChunk / 4 changes.
    Model model(c.p, c.net, kKey);
    ModelProbe probe{model};
    probe.keep_windows() = true;
    const SteppedRows windowed = step_all(model, kDays, c.later, WindowCase::kAt);
    CHECK(probe.windows());
    CHECK(windowed.days == each_day(kDays));
    CHECK(differing_rows(daily, windowed) == 0);
    CHECK(windowed.most_changes <= Model::kChunk / 4);  // after each day
    std::vector<std::int32_t> windows;  // the days of each hand-over but the intervention's and the last
    std::size_t before = 0;
    for (std::int32_t t = 0; t < kDays; ++t) {
      const std::size_t after = windowed.after_day[static_cast<std::size_t>(t)];
      CHECK(after + 16 > std::size_t(t));  // never more than 16 days waiting
      if (after > before && t != WindowCase::kAt && t + 1 < kDays)
        windows.push_back(static_cast<std::int32_t>(after - before));
      before = after;
    }
    CHECK(windowed.after_day[WindowCase::kAt] >= std::size_t{WindowCase::kAt});  // before the change
    INFO("windows ended after " << Catch::Detail::stringify(windows) << " days");
    CHECK(!windows.empty());
    CHECK(std::all_of(windows.begin(), windows.end(), [](int w) { return w < 16; }));  // crowded

    // Left to itself, this busy market goes back to daily counts after its first window, with
    // the same figures.
    Model adaptive_model(c.p, c.net, kKey);
    const SteppedRows adaptive = step_all(adaptive_model, kDays, c.later, WindowCase::kAt);
    CHECK_FALSE(ModelProbe{adaptive_model}.windows());
    CHECK(adaptive.days == each_day(kDays));
    CHECK(adaptive.after_day.back() == std::size_t{kDays});
    CHECK(differing_rows(daily, adaptive) == 0);
  }
}
