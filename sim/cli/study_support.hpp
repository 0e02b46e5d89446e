#pragma once
// Shared by the study commands (calibrate, sensitivity, select): loading the scenario with --set,
// the progress line with an ETA, the memory check and Ctrl-C. Internal to the command line.

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "app/study.hpp"
#include "core/errors.hpp"
#include "experiment/runner.hpp"
#include "experiment/study_runs.hpp"
#include "io/edge_list.hpp"
#include "io/limits.hpp"
#include "io/scenario_reader.hpp"
#include "io/system.hpp"
#include "signals.hpp"

#ifdef CXSIM_WITH_MPI
#include "mpi/ensemble.hpp"
#endif

namespace cxsim::cli {

/// `text` read whole as a decimal number by std::stod, into `x`: no leading space (stod would skip
/// it, and a trailing one is refused) and no hexadecimal ('0x10' would be 16).
inline bool read_number(const std::string& text, double& x) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front())) ||
      text.find_first_of("xX") != std::string::npos)
    return false;
  std::size_t used = 0;
  try {
    x = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size();
}

/// An option's check: a finite number for which `ok` holds, else "got 'TEXT'; allowed: ALLOWED".
/// CLI11's PositiveNumber and Range let NaN through and would print the largest double in full
/// ("not in range 0.000000 to 17976931348623157081452742373170435679807...").
template <class Ok>
CLI::Validator real_option(Ok ok, const std::string& allowed) {
  return CLI::Validator(
      [ok, allowed](const std::string& text) -> std::string {
        double x = 0;
        if (read_number(text, x) && std::isfinite(x) && ok(x)) return {};
        return "got '" + text + "'; allowed: " + allowed;
      },
      "REAL");
}
/// An option's check: a number (nan and inf included: the command says what range it allows),
/// else "got 'TEXT'; allowed: a number". CLI11 said only "Could not convert", and for
/// `--arrivals-per-hour= --aht 240` it took '--aht' as the value.
inline CLI::Validator number_text() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        double x = 0;
        return read_number(text, x) ? "" : "got '" + text + "'; allowed: a number";
      },
      "REAL");
}
/// An option's check: a whole number in [lo, hi], written in decimal, else "got 'TEXT'; allowed: a
/// whole number from LO to HI". CLI11 reads "020" as octal 16 and "0x14" as 20, and says only
/// "Could not convert" for "1e3" or "inf".
inline CLI::Validator whole_range(std::int64_t lo, std::int64_t hi) {
  return CLI::Validator(
      [lo, hi](const std::string& text) -> std::string {
        // Optional sign, then digits without a leading zero (0 itself excepted).
        // from_chars reads a '-' but not a '+'.
        const std::string_view t = text;
        const bool plus = !t.empty() && t[0] == '+';
        const std::string_view digits = t.substr(plus || (!t.empty() && t[0] == '-') ? 1 : 0);
        const bool decimal =
            !digits.empty() && (digits[0] != '0' || digits.size() == 1) &&
            std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
        std::int64_t x = 0;
        const auto [end, ec] = std::from_chars(t.data() + (plus ? 1 : 0), t.data() + t.size(), x);
        if (decimal && ec == std::errc() && end == t.data() + t.size() && x >= lo && x <= hi) return {};
        return "got '" + text + "'; allowed: a whole number from " + std::to_string(lo) + " to " +
               std::to_string(hi);
      },
      "INT");
}
inline CLI::Validator positive_number() {
  return real_option([](double x) { return x > 0; }, "a number > 0");
}
/// A given option's value must not be empty ('' would otherwise read as the default).
inline const CLI::Validator kNotEmpty([](const std::string& text)
                                          -> std::string { return text.empty() ? "must not be empty" : ""; },
                                      "NONEMPTY");

// The studies stop on SIGINT and SIGTERM as `cxsim run` does (signals.hpp): exit 130 or 143.
inline void install_study_signals() {
  install_signal_handlers();
}

// Under mpirun with several ranks, a study runs on every rank (docs/cluster.md): each rank reads
// the same files and follows the same steps, the simulations of every batch are spread over the
// ranks (their results gathered, so every rank sees the same numbers and so takes the same next
// step), and rank 0 alone prints and writes. main() runs the whole command inside
// mpi::together(), so an error every rank meets is reported once; an error only rank 0 can meet
// (writing) happens inside study_on_root(), which every rank joins.

/// This process's place in the MPI job: its rank and the job's ranks (0 of 1 without MPI).
struct JobPlace {
  int rank = 0;
  int ranks = 1;
};
inline JobPlace job_place() {
#ifdef CXSIM_WITH_MPI
  return {cxsim::mpi::world().rank, cxsim::mpi::world().size};
#else
  return {};
#endif
}

/// Whether this process prints and writes: rank 0, or the only process.
inline bool study_root() {
  return job_place().rank == 0;
}

/// Refuses (check_memory_need: io/limits.hpp) this process's need of `need` bytes, added up over
/// the MPI ranks that share its machine's memory. Every rank calls it; they agree on the error.
inline void check_machine_memory(std::uint64_t need, const std::string& file, bool partition,
                                 std::string_view what) {
#ifdef CXSIM_WITH_MPI
  // (need, ranks here); not a structured binding: clang before 16 cannot capture one.
  const std::pair<std::uint64_t, int> here = cxsim::mpi::sum_on_this_machine(need);
  cxsim::mpi::together(
      [&] { check_memory_need(here.first, available_memory_bytes(), here.second, file, partition, what); });
#else
  check_memory_need(need, available_memory_bytes(), 1, file, partition, what);
#endif
}

/// Spreads the runs of `options` over the ranks when there are several.
inline void distribute_study_runs(RunOptions& options) {
#ifdef CXSIM_WITH_MPI
  if (cxsim::mpi::world().size > 1) options.distribute = cxsim::mpi::run_plans_on_ranks;
#else
  (void)options;
#endif
}

/// Whether the runs are spread over several ranks.
inline bool several_ranks() {
#ifdef CXSIM_WITH_MPI
  return cxsim::mpi::world().size > 1;
#else
  return false;
#endif
}

/// Runs `step` on rank 0 only; every rank calls this, and all throw rank 0's error if it failed.
template <class Step>
void study_on_root(Step&& step) {
#ifdef CXSIM_WITH_MPI
  cxsim::mpi::together([&] {
    if (study_root()) step();
  });
#else
  step();
#endif
}

/// Rank 0's `values` on every rank.
inline void study_broadcast(std::vector<double>& values) {
#ifdef CXSIM_WITH_MPI
  cxsim::mpi::broadcast(values);
#else
  (void)values;
#endif
}

/// The scenario options every study command has.
struct StudyScenario {
  std::string file;
  std::vector<std::string> sets;
  std::optional<std::string> seed;  // as typed: checked as run.seed is
  int threads = 0;
  bool quiet = false;

  void add_to(CLI::App* sub) {
    sub->add_option("--set", sets, "Override a parameter: key=value (repeatable)");
    sub->add_option("--seed", seed, "Master seed (same as --set run.seed=N)")->check(kNotEmpty);
    sub->add_option("--threads", threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(whole_range(0, cxsim::kMaxThreads));
    sub->add_flag("-q,--quiet", quiet, "No progress line");
  }
  int used_threads() const {
    return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  Scenario load(std::optional<int> replications) const {
    return load_study_scenario(file, sets, seed,
                               replications ? std::optional(std::to_string(*replications)) : std::nullopt);
  }
};

inline std::optional<Network> study_network(const Scenario& s) {
  if (s.params.network_kind != "edge_list") return std::nullopt;
  return read_edge_list(s.params.network_edge_list, static_cast<std::uint32_t>(s.params.market_population));
}

/// Refuses a study that would not fit in memory: `models` models alive at once on each rank, and
/// the daily series of `held` replications that the study's runs hold at once (its points in
/// flight times their replications); the ranks that share a machine together (as `cxsim run`:
/// io/limits.hpp). Every rank calls it.
inline void check_study_memory(const Params& params, int models, std::int64_t held, const std::string& file,
                               const std::vector<std::pair<std::string, double>>& largest = {}) {
  Params one = params;
  one.run_replications = 1;
  // A study may vary a key that sizes the market (market.population, network.mean_degree): its
  // simulations need the memory of the range's top, not of the scenario's own value.
  for (const auto& [key, value] : largest) {
    if (const ParamSpec* spec = find_param(key)) {
      try {
        set_param_from_string(one, *spec, study_value_text(*spec, value));
      } catch (const InputError&) {
        // outside the key's own range: the study refuses it where it checks its keys
      }
    }
  }
  const auto need = estimate_memory_bytes(one, 1, 1) * static_cast<std::uint64_t>(std::max(1, models)) +
                    series_bytes(params) * static_cast<std::uint64_t>(std::max<std::int64_t>(0, held));
  check_machine_memory(need, file, false, "study");
}

/// "[=====>    ] 45%  12/40 simulations  ETA 12 s" on stderr from one second in (a terminal only).
class StudyProgress {
 public:
  explicit StudyProgress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO) && study_root()) {}
  void update(std::uint64_t done, std::uint64_t total) {
    done_.store(done);
    total_.store(total);
  }
  void start() {
    if (!enabled_) return;
    thread_ = std::thread([this] {
      const auto begin = std::chrono::steady_clock::now();
      while (!stop_.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        const auto total = total_.load(), done = done_.load();
        if (elapsed < 1.0 || total == 0 || done == 0) continue;
        const double f = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        const int width = 30, filled = static_cast<int>(f * width);
        std::string bar(static_cast<std::size_t>(filled), '=');
        if (filled < width) bar += '>' + std::string(static_cast<std::size_t>(width - filled - 1), ' ');
        std::fprintf(stderr, "\r[%s] %3.0f%%  ETA %.0f s   ", bar.c_str(), 100 * f, elapsed * (1 - f) / f);
        drawn_ = true;
      }
    });
  }
  void finish() {
    if (!thread_.joinable()) return;
    stop_.store(true);
    thread_.join();
    if (drawn_) std::fprintf(stderr, "\r%70s\r", "");
  }
  ~StudyProgress() { finish(); }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> done_{0}, total_{0};
  std::thread thread_;
};

}  // namespace cxsim::cli
