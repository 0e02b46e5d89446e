#pragma once
// What the benchmark programs share: flag parsing, clocks, peak memory and the machine line.
// Benchmarks print figures as `key=value` pairs, one configuration a line, so that
// bench/run_benchmarks.sh can collect them; they are never timed tests.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cxsim::bench {

/// `--flag value` pairs; a flag given twice keeps every value (for --set).
class Args {
 public:
  Args(int argc, char** argv, std::vector<std::string> known) {
    for (int i = 1; i < argc; i += 2) {
      const std::string flag = argv[i];
      bool ok = false;
      for (const auto& k : known) ok = ok || flag == "--" + k;
      if (!ok || i + 1 >= argc) {
        std::fprintf(stderr, "usage: %s", argv[0]);
        for (const auto& k : known) std::fprintf(stderr, " [--%s V]", k.c_str());
        std::fprintf(stderr, "\n");
        std::exit(2);
      }
      values_[flag.substr(2)].push_back(argv[i + 1]);
    }
  }
  bool has(const std::string& k) const { return values_.count(k) > 0; }
  std::string str(const std::string& k, const std::string& fallback) const {
    return has(k) ? values_.at(k).back() : fallback;
  }
  double num(const std::string& k, double fallback) const {
    return has(k) ? std::stod(values_.at(k).back()) : fallback;
  }
  std::vector<std::string> all(const std::string& k) const {
    return has(k) ? values_.at(k) : std::vector<std::string>{};
  }
  /// A comma-separated list of numbers, e.g. --threads 1,2.
  std::vector<double> list(const std::string& k, const std::string& fallback) const {
    std::vector<double> out;
    const std::string s = str(k, fallback);
    std::size_t pos = 0;
    while (pos < s.size()) {
      const auto comma = s.find(',', pos);
      out.push_back(std::stod(s.substr(pos, comma - pos)));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    return out;
  }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// CPU seconds (user + system) this process has used, all threads: on a busy machine it says
/// what the work cost when wall-clock time includes waiting for a core.
inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

/// A field of /proc/self/status in bytes (VmHWM: peak resident set, VmRSS: now); -1 if absent.
inline long proc_status_bytes(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line))
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size()) * 1024L;
  return -1;
}

/// Resets VmHWM to the current resident set (Linux >= 4.0), so a later peak is this phase's own.
inline void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

/// One line describing the machine: cores, memory, CPU model, load (figures depend on it).
inline void print_machine() {
  std::string model = "unknown";
  std::ifstream cpu("/proc/cpuinfo");
  for (std::string line; std::getline(cpu, line);)
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  double load = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  long mem_kb = 0;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);)
    if (line.rfind("MemTotal:", 0) == 0) mem_kb = std::atol(line.c_str() + 9);
  std::printf("# machine: cores=%u memory_gb=%.1f cpu=\"%s\" load_1min=%.2f\n",
              std::thread::hardware_concurrency(), static_cast<double>(mem_kb) / (1024.0 * 1024.0),
              model.c_str(), load);
}

}  // namespace cxsim::bench
