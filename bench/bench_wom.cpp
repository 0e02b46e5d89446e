// Question: how close does the full engine come to a hand-written loop on the word-of-mouth
// kernel? The Bass reduction (docs/validation.md: p = 0.03, q = 0.38 per year, adopters
// recommend for ever, no churn, failures, warnings or stories) on a Watts-Strogatz network
// (mean degree 10, rewiring 0.1, every message along a tie), daily steps over 10 years.
//
// Four programs simulate it on the same graph:
//   engine     the full engine (cxsim::run on scenarios/validation/bass_complete.toml with the
//              network above, purchases every 3650 days and no NPS surveys: the mechanisms
//              outside the Bass model as quiet as the scenario keys allow);
//   direct     the minimal loop a modeller would write: one pass a day, one uniform draw per
//              agent (a prospect adopts with 1 - (1 - p_d)(1 - b)^R, an adopter recommends to a
//              random tie with probability r_d), messages counted for tomorrow;
//   scheduled  the same loop with the engine's own trick: geometric waiting times, so a day
//              costs one compare for an agent with nothing due;
//   push       the incremental event loop: an adoption adds talk_d * b / degree to each prospect
//              neighbour's adoption hazard, and that prospect's adoption time is drawn again
//              from its current hazard (exponential, memoryless); a heap of adoption times with
//              stale entries skipped. Work follows adoptions and ties, not days. It is the
//              continuous-time version of the same rates (not the daily draws), one thread.
// Throughput is agent-days per second of the daily loop (network and set-up excluded; they are
// printed apart). The adopted fraction at the end shows the three simulate the same model.
//
//   cxsim_bench_wom [--population 100000,1000000] [--threads 1,2] [--days 3650] [--seed 1]
//                   [--programs engine,direct,scheduled,push]   (the others print 0 seconds)

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "experiment/runner.hpp"
#include "io/scenario_reader.hpp"
#include "model/network.hpp"

namespace {

// xoshiro256+ (Blackman & Vigna), seeded by splitmix64: the cheapest good generator, as a
// hand-written loop would use. One per (day, block of agents), so results do not depend on
// the thread count.
struct Xoshiro {
  std::uint64_t s[4];
  explicit Xoshiro(std::uint64_t seed) {
    for (auto& w : s) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      w = z ^ (z >> 31);
    }
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = s[0] + s[3];
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  std::int32_t geometric(double p) {  // days to the next success of a daily Bernoulli(p), >= 1
    const double k = 1.0 + std::floor(std::log(1.0 - uniform()) / std::log1p(-p));
    return k > 1e9 ? 1000000000 : static_cast<std::int32_t>(k);
  }
};

constexpr std::uint32_t kBlock = 1u << 13;

struct Kernel {
  double p_day;     // external adoption per day
  double talk_day;  // recommendation per adopter per day
  double b;         // conversion per recommendation
  std::uint64_t seed;
};

struct Reference {
  double seconds = 0;
  double adopted_fraction = 0;
};

/// A reference loop's result: its time and the share that adopted.
template <class Flags, class Start>
Reference finish(const Flags& adopted, Start t0) {
  Reference r;
  r.seconds = cxsim::bench::seconds_since(t0);
  std::uint64_t count = 0;
  for (auto a : adopted) count += a;
  r.adopted_fraction = static_cast<double>(count) / static_cast<double>(adopted.size());
  return r;
}

std::uint8_t bump(std::uint8_t& slot) {
  std::atomic_ref<std::uint8_t> a(slot);
  std::uint8_t old = a.load(std::memory_order_relaxed);
  while (old != 255 && !a.compare_exchange_weak(old, old + 1, std::memory_order_relaxed)) {
  }
  return old;
}

// One pass a day, one draw per agent.
Reference direct(const cxsim::Network& net, const Kernel& k, int days, int threads) {
  const std::uint32_t n = net.size;
  std::vector<std::uint8_t> adopted(n, 0), inbox(n, 0), next_inbox(n, 0);
  const std::uint32_t blocks = (n + kBlock - 1) / kBlock;
  tbb::task_arena arena(threads);
  const auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < days; ++t) {
    arena.execute([&] {
      tbb::parallel_for(std::uint32_t{0}, blocks, [&](std::uint32_t blk) {
        Xoshiro rng(k.seed ^ (static_cast<std::uint64_t>(t) << 32) ^ blk);
        const std::uint32_t hi = std::min(n, (blk + 1) * kBlock);
        for (std::uint32_t i = blk * kBlock; i < hi; ++i) {
          const double u = rng.uniform();
          if (adopted[i]) {
            if (u < k.talk_day) {
              const auto lo = net.offsets[i], deg = net.offsets[i + 1] - lo;
              if (deg > 0) bump(next_inbox[net.targets[lo + rng.below(deg)]]);
            }
          } else {
            const int heard = inbox[i];
            const double stay = (1 - k.p_day) * (heard > 0 ? std::pow(1 - k.b, heard) : 1.0);
            if (u >= stay) adopted[i] = 1;
          }
          inbox[i] = 0;
        }
      });
    });
    inbox.swap(next_inbox);
  }
  return finish(adopted, t0);
}

// The same model with scheduled days: next[i] is a prospect's external-adoption day or an
// adopter's next recommendation; a prospect with messages is also due.
Reference scheduled(const cxsim::Network& net, const Kernel& k, int days, int threads) {
  const std::uint32_t n = net.size;
  std::vector<std::uint8_t> adopted(n, 0), inbox(n, 0), next_inbox(n, 0);
  std::vector<std::int32_t> next(n);
  const std::uint32_t blocks = (n + kBlock - 1) / kBlock;
  tbb::task_arena arena(threads);
  const auto t0 = std::chrono::steady_clock::now();
  arena.execute([&] {
    tbb::parallel_for(std::uint32_t{0}, blocks, [&](std::uint32_t blk) {
      Xoshiro rng(k.seed ^ 0xabcdefULL ^ blk);
      for (std::uint32_t i = blk * kBlock; i < std::min(n, (blk + 1) * kBlock); ++i)
        next[i] = -1 + rng.geometric(k.p_day);
    });
  });
  for (int t = 0; t < days; ++t) {
    arena.execute([&] {
      tbb::parallel_for(std::uint32_t{0}, blocks, [&](std::uint32_t blk) {
        Xoshiro rng(k.seed ^ (static_cast<std::uint64_t>(t) << 32) ^ blk);
        const std::uint32_t hi = std::min(n, (blk + 1) * kBlock);
        for (std::uint32_t i = blk * kBlock; i < hi; ++i) {
          if (next[i] != t && inbox[i] == 0) continue;
          if (adopted[i]) {
            inbox[i] = 0;
            if (next[i] != t) continue;
            const auto lo = net.offsets[i], deg = net.offsets[i + 1] - lo;
            if (deg > 0) bump(next_inbox[net.targets[lo + rng.below(deg)]]);
            next[i] = t + rng.geometric(k.talk_day);
          } else {
            const int heard = inbox[i];
            inbox[i] = 0;
            if (next[i] == t || rng.uniform() >= std::pow(1 - k.b, heard)) {
              adopted[i] = 1;
              next[i] = t + rng.geometric(k.talk_day);
            }
          }
        }
      });
    });
    inbox.swap(next_inbox);
  }
  return finish(adopted, t0);
}

// The incremental push loop: one thread, work per adoption and tie.
Reference push(const cxsim::Network& net, const Kernel& k, int days) {
  const std::uint32_t n = net.size;
  std::vector<std::uint8_t> adopted(n, 0);
  std::vector<double> hazard(n), due(n);
  const double external = -std::log1p(-k.p_day);  // per day
  const double per_tie = k.talk_day * k.b;        // an adopter's hazard on all its ties together
  Xoshiro rng(k.seed ^ 0x5eedULL);
  struct Event {
    double time;
    std::uint32_t who;
    bool operator<(const Event& o) const { return time > o.time; }  // earliest first
  };
  std::vector<Event> heap;
  const auto t0 = std::chrono::steady_clock::now();
  heap.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    hazard[i] = external;
    due[i] = -std::log1p(-rng.uniform()) / external;
    if (due[i] < days) heap.push_back({due[i], i});
  }
  std::make_heap(heap.begin(), heap.end());
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    const Event e = heap.back();
    heap.pop_back();
    if (adopted[e.who] || e.time != due[e.who]) continue;  // adopted already, or drawn again since
    adopted[e.who] = 1;
    const auto lo = net.offsets[e.who], hi = net.offsets[e.who + 1];
    if (hi == lo) continue;
    const double add = per_tie / static_cast<double>(hi - lo);
    for (auto t = lo; t < hi; ++t) {
      const std::uint32_t j = net.targets[t];
      if (adopted[j]) continue;
      hazard[j] += add;
      due[j] = e.time - std::log1p(-rng.uniform()) / hazard[j];
      if (due[j] < days) {
        heap.push_back({due[j], j});
        std::push_heap(heap.begin(), heap.end());
      }
    }
  }
  return finish(adopted, t0);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cxsim;
  const bench::Args args(argc, argv, {"population", "threads", "days", "seed", "programs"});
  const auto populations = args.list("population", "100000,1000000");
  const auto thread_counts = args.list("threads", "1,2");
  const int days = static_cast<int>(args.num("days", 3650));
  const auto seed = static_cast<std::uint64_t>(args.num("seed", 1));
  std::string programs(",");
  programs.append(args.str("programs", "engine,direct,scheduled,push")).append(",");
  const auto wanted = [&](const char* name) {
    std::string key(",");
    key.append(name).append(",");
    return programs.find(key) != std::string::npos;
  };

  Scenario s = load_scenario(std::string(CXSIM_SOURCE_DIR) + "/scenarios/validation/bass_complete.toml");
  apply_overrides(s,
                  {"network.kind=watts_strogatz", "network.mean_degree=10", "network.rewiring=0.1",
                   "network.weak_tie_share=0", "purchase.interval_days=3650", "survey.nps_monthly_sample=0",
                   "run.horizon_days=" + std::to_string(days), "run.seed=" + std::to_string(seed)});
  bench::print_machine();
  int most = 1;
  for (double t : thread_counts) most = std::max(most, static_cast<int>(t));
  std::optional<tbb::global_control> allow;
  if (most > tbb::info::default_concurrency())
    allow.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(most));

  for (double population : populations) {
    Params p = s.params;
    p.market_population = static_cast<std::int64_t>(population);
    const Kernel kernel{-std::expm1(-p.acquisition_p_per_year / 365.0), recommendations_per_day(p),
                        p.acquisition_recommendation_conversion, seed};
    const auto g0 = std::chrono::steady_clock::now();
    const Network net = network_for(p, RngKey{seed, 0}, nullptr);
    const double network_s = bench::seconds_since(g0);
    const double agent_days = population * days;
    for (double threads : thread_counts) {
      const int th = static_cast<int>(threads);
      RunOptions options;
      options.threads = th;
      RunResult engine;
      if (wanted("engine")) engine = run(p, options);
      const double engine_s = engine.stats.step.total();
      const double engine_adopted =
          wanted("engine") ? engine.series.at(Metric::adopted_fraction, 0, days - 1) : 0;
      const Reference d = wanted("direct") ? direct(net, kernel, days, th) : Reference{};
      const Reference q = wanted("scheduled") ? scheduled(net, kernel, days, th) : Reference{};
      const Reference u = wanted("push") ? push(net, kernel, days) : Reference{};
      std::printf(
          "wom population=%.0f days=%d threads=%d network_seconds=%.3f engine_setup_seconds=%.3f "
          "engine_seconds=%.3f direct_seconds=%.3f scheduled_seconds=%.3f push_seconds=%.3f "
          "engine_agent_days_per_s=%.4g direct_agent_days_per_s=%.4g scheduled_agent_days_per_s=%.4g "
          "push_agent_days_per_s=%.4g engine_vs_direct=%.3f engine_vs_scheduled=%.3f engine_vs_push=%.3f "
          "adopted_engine=%.4f adopted_direct=%.4f adopted_scheduled=%.4f adopted_push=%.4f\n",
          population, days, th, network_s, engine.stats.seconds_simulating - engine_s, engine_s, d.seconds,
          q.seconds, u.seconds, agent_days / engine_s, agent_days / d.seconds, agent_days / q.seconds,
          agent_days / u.seconds, d.seconds / engine_s, q.seconds / engine_s, u.seconds / engine_s,
          engine_adopted, d.adopted_fraction, q.adopted_fraction, u.adopted_fraction);
      if (wanted("engine")) {
        const StepTimes& st = engine.stats.step;  // where the engine's daily steps went (shares)
        std::printf(
            "engine_phases customers=%.3f merge=%.3f contact_centre=%.3f outcomes=%.3f word_of_mouth=%.3f\n",
            st.customers / engine_s, st.merge / engine_s, st.contact_centre / engine_s,
            st.outcomes / engine_s, st.word_of_mouth / engine_s);
      }
      std::fflush(stdout);
    }
  }
  return 0;
}
