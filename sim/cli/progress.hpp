#pragma once
// The progress bar `cxsim run` draws on stderr while a run lasts.

#include <atomic>
#include <cstdint>
#include <thread>

namespace cxsim::cli {

/// Draws "[=====>    ] 45%  ETA 12 s" on stderr while a run lasts, from one second in.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void update(std::uint64_t done, std::uint64_t total) {
    done_.store(done, std::memory_order_relaxed);
    total_.store(total, std::memory_order_relaxed);
  }
  void start();
  void finish();
  ~ProgressBar() { finish(); }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> done_{0}, total_{0};
  std::thread thread_;
};

}  // namespace cxsim::cli
