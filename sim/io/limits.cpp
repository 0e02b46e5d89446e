#include "io/limits.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/errors.hpp"
#include "core/results.hpp"
#include "experiment/runner.hpp"
#include "io/system.hpp"

namespace cxsim {

namespace {

std::string escape(std::string_view text, std::size_t max_bytes, bool keep_lines) {
  std::string out;
  char buf[16];
  std::size_t i = 0;
  while (i < text.size()) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (keep_lines && (c == '\n' || c == '\t')) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      if (c == '\n')
        out += "\\n";
      else if (c == '\t')
        out += "\\t";
      else if (c == '\r')
        out += "\\r";
      else
        std::snprintf(buf, sizeof buf, "\\x%02X", c), out += buf;
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const std::size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    // C1 controls (U+0080..U+009F, encoded C2 80..C2 9F) act as terminal controls too.
    if (ok && len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) ok = false;
    if (!ok) {
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
      ++i;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  return escape(text, max_bytes, false);
}

std::string terminal_text(std::string_view text) {
  return escape(text, SIZE_MAX - 8, true);
}

void check_toml_limits(std::string_view text, const std::string& file) {
  if (text.size() > kMaxScenarioBytes)
    throw InputError("the scenario is " + std::to_string(text.size()) + " bytes; at most " +
                         std::to_string(kMaxScenarioBytes) + " are read (real scenarios are a few KB)",
                     file);
  int line = 1, depth = 0, dots = 0;
  bool in_key = true;  // before the first '=' of a line (or in a [table] header)
  const auto fail = [&](const std::string& what) {
    throw InputError(what + "; scenarios may nest at most " + std::to_string(kMaxScenarioDepth) + " levels",
                     file, line);
  };
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      if (depth == 0) in_key = true, dots = 0;
      ++i;
    } else if (c == '#') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      const bool multi = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
      const std::string_view close =
          multi ? (c == '"' ? std::string_view("\"\"\"") : std::string_view("\'\'\'"))
                : std::string_view(&text[i], 1);
      i += multi ? 3 : 1;
      while (i < n) {
        if (c == '"' && text[i] == '\\') {
          i += 2;
          continue;
        }
        if (text[i] == '\n') {
          ++line;
          if (!multi) break;  // unterminated: the TOML parser reports it
        }
        if (text.compare(i, close.size(), close) == 0) {
          i += close.size();
          break;
        }
        ++i;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxScenarioDepth) fail("arrays or tables nested too deeply");
      ++i;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
      ++i;
    } else if (c == '=') {
      if (depth == 0) in_key = false;
      ++i;
    } else {
      if (c == '.' && in_key && ++dots > kMaxScenarioDepth * 4) fail("a dotted key with too many parts");
      ++i;
    }
  }
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

namespace {

constexpr std::uint64_t kSavedBytesPerCustomer = 24;  // the saved columns: 1+1+4+4+4+4+4+1 bytes

// Rows of the episode record (run.episodes) one replication may keep: at most one problem per
// touchpoint of each order of every recorded customer (an upper bound: every one a customer,
// ordering all the time, every touchpoint failing at the summed failure rates), capped at
// run.episode_max_rows.
std::uint64_t episode_rows_bound(const Params& p) {
  if (!p.run_episodes) return 0;
  const double rate = std::min(1.0, p.quality_defect_rate + p.quality_late_delivery_rate +
                                        p.quality_confusion_rate + p.quality_billing_error_rate);
  const double recorded =
      static_cast<double>(p.market_population) / static_cast<double>(p.run_episode_sample);
  const double orders = static_cast<double>(p.run_horizon_days) / std::max(1.0, p.purchase_interval_days) + 1;
  const double rows = std::ceil(recorded * orders * rate);
  return static_cast<std::uint64_t>(std::min(rows, static_cast<double>(p.run_episode_max_rows)));
}

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t out = 0;
  return __builtin_mul_overflow(a, b, &out) ? UINT64_MAX : out;
}
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// Every parameter set a plan uses (from day 0 and after each intervention day).
template <class F>
void for_each_params(const std::vector<RunPlan>& plans, F&& f) {
  for (const RunPlan& plan : plans) {
    f(plan.params);
    for (const auto& change : plan.changes) f(change.params);
  }
}

}  // namespace

std::uint64_t estimate_results_bytes(const std::vector<RunPlan>& plans, std::int64_t replications) {
  const auto reps = static_cast<std::uint64_t>(std::max<std::int64_t>(1, replications));
  std::uint64_t bytes = 1 << 20;  // metadata, provenance, summary
  for (const RunPlan& plan : plans) {
    // The series, and with output.by_segment the same again for each segment (a validated
    // scenario's at most 36,500 days and 256 segments: 6.2 GB a replication, no overflow).
    bytes = saturating_add(bytes, saturating_mul(series_bytes(plan.params), reps));
    if (plan.params.run_save_customers)
      bytes =
          saturating_add(bytes, saturating_mul(saturating_mul(kSavedBytesPerCustomer, reps),
                                               static_cast<std::uint64_t>(plan.params.market_population)));
    bytes = saturating_add(
        bytes, saturating_mul(saturating_mul(sizeof(EpisodeRow), reps), episode_rows_bound(plan.params)));
  }
  return bytes;
}

namespace {

// The largest one-replication footprint of any plan (population `block`, or the plan's own when
// 0), at the concurrency of the whole experiment.
// What building a network takes on every rank of a partitioned run beyond the rank's rows, while
// it builds (docs/cluster.md): the generators that need everyone's ties keep them, Erdos-Renyi the
// ties its members draw and those it receives.
std::uint64_t network_build_memory(const Params& p, int ranks) {
  const auto n = static_cast<double>(p.market_population);
  const auto k = static_cast<double>(p.network_mean_degree);
  double bytes = 0;
  if (p.network_kind == "ring" || p.network_kind == "watts_strogatz")
    bytes = (k / 16 + 0.5 + 2 * (p.network_kind == "ring" ? 0.0 : p.network_rewiring) * k) * n;
  else if (p.network_kind == "barabasi_albert")
    bytes = 4.0 * static_cast<double>(p.network_ba_m + 1) * n;
  else if (p.network_kind == "erdos_renyi")
    bytes = 4 * k * (2.0 * ranks - 1) / (static_cast<double>(ranks) * ranks) * n;
  return static_cast<std::uint64_t>(std::min(bytes, 1.8e19));
}

std::uint64_t models_memory(const std::vector<RunPlan>& plans, std::int64_t replications, int threads,
                            std::uint32_t block = 0) {
  const int runs = static_cast<int>(plans.size());
  std::uint64_t largest = 0;
  for_each_params(plans, [&](const Params& p) {
    Params one = p;
    one.run_replications = replications;
    if (block > 0) one.market_population = block;
    std::uint64_t bytes = estimate_memory_bytes(one, threads, runs);
    if (block == 0 && p.network_kind == "barabasi_albert") {
      // While it builds, the generator also keeps the list of every tie's ends (4 (m + 1) bytes a
      // customer), in each run building at once; measured 209 MB beyond the network at 5 x 10^4
      // people with m = 1,000 (a partitioned run counts it in network_build_memory).
      const std::uint64_t at_once =
          runs_at_once(std::max<std::int64_t>(1, replications) * std::max(1, runs), threads);
      bytes = saturating_add(bytes, saturating_mul(at_once, network_build_memory(p, 1)));
    }
    largest = std::max(largest, bytes);
  });
  return largest;
}

// What rank 0 (or the single process) holds besides the models: the saved customer state and
// episodes of every replication of every plan, and the results file in memory (HDF5's image plus
// its copy).
std::uint64_t results_memory(const std::vector<RunPlan>& plans, std::int64_t replications) {
  const auto reps = static_cast<std::uint64_t>(std::max<std::int64_t>(1, replications));
  std::uint64_t saved = 0;
  for (const RunPlan& plan : plans) {
    saved = saturating_add(
        saved, saturating_mul(saturating_mul(sizeof(EpisodeRow), reps), episode_rows_bound(plan.params)));
    if (plan.params.run_save_customers)
      saved =
          saturating_add(saved, saturating_mul(saturating_mul(kSavedBytesPerCustomer, reps),
                                               static_cast<std::uint64_t>(plan.params.market_population)));
  }
  return saturating_add(saved, saturating_mul(2, estimate_results_bytes(plans, replications)));
}

}  // namespace

std::uint64_t estimate_experiment_memory(const std::vector<RunPlan>& plans, std::int64_t replications,
                                         int threads) {
  if (plans.empty()) return 0;
  return saturating_add(models_memory(plans, replications, threads), results_memory(plans, replications));
}

std::uint64_t estimate_rank_memory(const std::vector<RunPlan>& plans, std::int64_t replications, int threads,
                                   const RankShare& share) {
  if (plans.empty()) return 0;
  const std::uint64_t results = share.root ? results_memory(plans, replications) : 0;
  if (share.ranks <= 1 || !share.partition)
    return saturating_add(models_memory(plans, replications, threads), results);
  // One task at a time, all ranks together, each holding its block (an empty block: its buffers).
  std::uint64_t build = 0;
  for_each_params(plans,
                  [&](const Params& p) { build = std::max(build, network_build_memory(p, share.ranks)); });
  return saturating_add(
      saturating_add(models_memory(plans, replications, 1, std::max<std::uint32_t>(share.block, 1)), build),
      results);
}

void check_memory_need(std::uint64_t need, std::uint64_t have, int processes, const std::string& file,
                       bool partition, std::string_view what) {
  if (have == 0 || need <= have / 10 * 9) return;
  const std::string amount = human_bytes(static_cast<double>(need));
  const std::string who = processes > 1
                              ? "the " + std::to_string(processes) +
                                    " MPI ranks on this machine need about " + amount + " of memory together"
                              : "the " + std::string(what) + " needs about " + amount + " of memory";
  const bool study = what != "run";
  std::string advice =
      study ? "lower market.population, the replications or run.horizon_days, or use fewer threads"
            : "lower market.population, run.replications or the number of strategies, turn "
              "off run.save_customers, or use fewer threads";
  if (partition)
    advice += ", or spread the ranks over more machines";
  else if (processes > 1)
    advice += study ? ", or fewer ranks a machine"
                    : ", or use --partition (each rank holds a share of the customers)";
  throw InputError(
      who + " but this machine has " + human_bytes(static_cast<double>(have)) + " available; " + advice, file,
      0, 0, "market.population");
}

void check_memory(const std::vector<RunPlan>& plans, std::int64_t replications, int threads,
                  const std::string& file) {
  check_memory_need(estimate_experiment_memory(plans, replications, threads), available_memory_bytes(), 1,
                    file);
}

std::string read_input_text(const std::string& path, std::string_view what, std::string_view noun) {
  // Refused before opening: a FIFO or device would block or never end.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw InputError("cannot read the " + std::string(what) + ": " + std::strerror(errno), path);
  if (!S_ISREG(st.st_mode))
    throw InputError(
        "not a regular file (a directory, device, FIFO or socket), so not a " + std::string(noun), path);
  if (static_cast<std::uint64_t>(st.st_size) > kMaxScenarioBytes)
    throw InputError("the " + std::string(what) + " is " + std::to_string(st.st_size) + " bytes; at most " +
                         std::to_string(kMaxScenarioBytes) + " are read (real ones are a few KB)",
                     path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw InputError("cannot read the " + std::string(what) + ": " + std::strerror(errno), path);
  std::string text;
  struct stat opened {};
  if (::fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {
    ::close(fd);
    throw InputError("not a regular file, so not a " + std::string(noun), path);
  }
  char buffer[65536];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      ::close(fd);
      throw InputError("error while reading the " + std::string(what) + ": " + std::strerror(error), path);
    }
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > kMaxScenarioBytes) break;  // grew while read: check_toml_limits reports it
  }
  ::close(fd);
  return text;
}

}  // namespace cxsim
