#pragma once
// The progress bar `cxsim run` draws on stderr while a run lasts.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace cxsim::cli {

/// Draws "[=====>    ]  45%  faster service (2 of 3), replication 4 of 5  ETA 1 min 12 s" on
/// stderr while a run lasts, from one second in. The ETA comes from the speed measured over the
/// last few seconds (customer-days per second), shown once there are two seconds of measurements:
/// set-up (networks, the first days) no longer makes the first estimate wrong.
class ProgressBar {
 public:
  /// `names`: the runs (strategies, sweep points) in plan order; `replications`: per run, 0 when
  /// not known in advance (running to a precision target).
  ProgressBar(bool enabled, std::vector<std::string> names = {}, int replications = 0)
      : enabled_(enabled), names_(std::move(names)), replications_(replications) {}
  void update(std::uint64_t done, std::uint64_t total) {
    done_.store(done, std::memory_order_relaxed);
    total_.store(total, std::memory_order_relaxed);
  }
  /// A (run, replication) task started: the bar names the latest one.
  void task_started(int run, int replication) {
    task_.store(static_cast<std::uint64_t>(run) << 32 | static_cast<std::uint32_t>(replication),
                std::memory_order_relaxed);
    started_.store(true, std::memory_order_relaxed);
  }
  void start();
  void finish();
  ~ProgressBar() { finish(); }

  /// The text of one line (for tests and the drawing thread): fraction done, seconds left (< 0:
  /// not known yet), terminal width.
  std::string line(double fraction, double eta_seconds, int run, int replication, bool have_task) const;

 private:
  bool enabled_;
  std::vector<std::string> names_;
  int replications_;
  bool drawn_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<bool> started_{false};
  std::atomic<std::uint64_t> done_{0}, total_{0}, task_{0};
  std::thread thread_;
};

/// "45 s", "3 min 05 s", "2 h 10 min".
std::string duration_text(double seconds);

}  // namespace cxsim::cli
