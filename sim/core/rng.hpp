#pragma once
// Counter-based randomness: every draw is a pure function of
// (seed, replication, purpose, entity, day, draw index), never of thread or processing order.
// This gives bit-identical results for any thread count and common random numbers across
// strategies: a customer a strategy does not touch draws the same numbers under every strategy.

#include <Random123/philox.h>

#include <array>
#include <cstdint>

namespace cxsim {

/// One stream id per decision. Values are part of the results' identity: never renumber,
/// only append. tests/unit/test_rng.cpp checks that they are unique.
enum class Purpose : std::uint32_t {
  network = 1,
  initial_state = 2,
  external_adoption = 3,
  wom_adoption = 4,
  rejection = 5,
  purchase_interval = 6,
  churn = 7,
  touchpoint = 8,
  failure = 9,
  contact_decision = 10,
  contact_channel = 11,
  contact_time = 12,
  contact_outcome = 13,
  csat_survey = 14,
  nps_survey = 15,
  story_start = 16,
  wom_targets = 17,
  retell = 18,
  talk_schedule = 19,
  value_demand = 20,
  segment = 21,
  queue = 22,
  proactive = 23,
  repeat_contact = 24,
  sweep = 25,  ///< Latin hypercube sweep points (entity: the swept parameter's index)
};

inline constexpr std::array kAllPurposes = {
    Purpose::network,
    Purpose::initial_state,
    Purpose::external_adoption,
    Purpose::wom_adoption,
    Purpose::rejection,
    Purpose::purchase_interval,
    Purpose::churn,
    Purpose::touchpoint,
    Purpose::failure,
    Purpose::contact_decision,
    Purpose::contact_channel,
    Purpose::contact_time,
    Purpose::contact_outcome,
    Purpose::csat_survey,
    Purpose::nps_survey,
    Purpose::story_start,
    Purpose::wom_targets,
    Purpose::retell,
    Purpose::talk_schedule,
    Purpose::value_demand,
    Purpose::segment,
    Purpose::queue,
    Purpose::proactive,
    Purpose::repeat_contact,
    Purpose::sweep,
};

/// Identity of a replication's randomness. Replication r's key never depends on how many
/// replications are run.
struct RngKey {
  std::uint64_t seed = 0;
  std::uint64_t replication = 0;
};

/// A stream of 64-bit words for one (purpose, entity, day). Satisfies
/// UniformRandomBitGenerator, so Boost.Random distributions can draw from it.
/// Cheap to construct: no state beyond the counter; Philox is evaluated lazily, 4 words a block.
class Stream {
  using Philox = r123::Philox4x64;

 public:
  using result_type = std::uint64_t;

  /// @param sub distinguishes several decisions of one purpose by one entity on one day
  ///            (e.g. a customer's second contact of the day); 0 for the first.
  Stream(RngKey key, Purpose purpose, std::uint64_t entity, std::uint64_t day, std::uint32_t sub = 0) {
    key_ = {{key.seed, key.replication}};
    ctr_ = {{static_cast<std::uint64_t>(purpose) | (static_cast<std::uint64_t>(sub) << 32), entity, day, 0}};
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

  result_type operator()() {
    if (next_ == 4) refill();
    return out_.v[next_++];
  }

  /// Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  /// True with probability p (p <= 0: never; p >= 1: always).
  bool bernoulli(double p) { return uniform() < p; }

  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, bias < n / 2^64).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>((*this)()) * n) >> 64);
  }

 private:
  void refill() {
    out_ = Philox()(ctr_, key_);
    ++ctr_.v[3];
    next_ = 0;
  }

  Philox::key_type key_{};
  Philox::ctr_type ctr_{};
  Philox::ctr_type out_{};
  int next_ = 4;
};

}  // namespace cxsim
