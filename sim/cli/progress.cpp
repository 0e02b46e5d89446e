#include "progress.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace cxsim::cli {

void ProgressBar::start() {
  if (!enabled_) return;
  thread_ = std::thread([this] {
    const auto begin = std::chrono::steady_clock::now();
    while (!stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      const auto total = total_.load();
      if (elapsed < 1.0 || total == 0) continue;
      const double f = static_cast<double>(done_.load()) / static_cast<double>(total);
      const int width = 30, filled = static_cast<int>(f * width);
      std::string bar(static_cast<std::size_t>(filled), '=');
      if (filled < width) bar += '>' + std::string(static_cast<std::size_t>(width - filled - 1), ' ');
      const double eta = f > 0 ? elapsed * (1 - f) / f : 0;
      std::fprintf(stderr, "\r[%s] %3.0f%%  ETA %.0f s   ", bar.c_str(), 100 * f, eta);
      drawn_ = true;
    }
  });
}

void ProgressBar::finish() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  thread_.join();
  if (drawn_) std::fprintf(stderr, "\r%60s\r", "");
}

}  // namespace cxsim::cli
