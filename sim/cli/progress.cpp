#include "progress.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <string>
#include <utility>

namespace cxsim::cli {

std::string duration_text(double seconds) {
  char buf[48];
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lld s", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
  return buf;
}

std::string ProgressBar::line(double fraction, double eta_seconds, int run, int replication,
                              bool have_task) const {
  const int width = 24, filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(std::min(filled, width)), '=');
  if (filled < width) bar += '>' + std::string(static_cast<std::size_t>(width - filled - 1), ' ');
  char head[64];
  std::snprintf(head, sizeof head, "[%s] %3.0f%%", bar.c_str(), 100 * fraction);
  std::string out = head;
  if (have_task) {
    out += "  ";
    if (names_.size() > 1 && run >= 0 && static_cast<std::size_t>(run) < names_.size())
      out += names_[static_cast<std::size_t>(run)] + " (" + std::to_string(run + 1) + " of " +
             std::to_string(names_.size()) + "), ";
    out += "replication " + std::to_string(replication + 1);
    if (replications_ > 0) out += " of " + std::to_string(replications_);
  }
  out += eta_seconds >= 0 ? "  ETA " + duration_text(eta_seconds) : "  ETA measuring...";
  return out;
}

void ProgressBar::start() {
  if (!enabled_) return;
  thread_ = std::thread([this] {
    using clock = std::chrono::steady_clock;
    const auto begin = clock::now();
    // (seconds since begin, customer-days done), the last 5 seconds' worth, from the first progress.
    std::deque<std::pair<double, std::uint64_t>> samples;
    std::size_t last_length = 0;
    while (!stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const double now = std::chrono::duration<double>(clock::now() - begin).count();
      const auto total = total_.load(), done = done_.load();
      if (total == 0) continue;
      if (done > 0) samples.emplace_back(now, done);
      while (samples.size() > 2 && samples.front().first < now - 5.0) samples.pop_front();
      if (now < 1.0) continue;
      double eta = -1;
      if (samples.size() >= 2 && samples.back().first - samples.front().first >= 2.0) {
        const double rate = static_cast<double>(samples.back().second - samples.front().second) /
                            (samples.back().first - samples.front().first);
        if (rate > 0) eta = static_cast<double>(total - std::min(total, done)) / rate;
      }
      const auto task = task_.load();
      std::string text =
          line(static_cast<double>(done) / static_cast<double>(total), eta, static_cast<int>(task >> 32),
               static_cast<int>(task & 0xffffffffu), started_.load());
      const std::size_t length = text.size();
      if (length < last_length) text += std::string(last_length - length, ' ');  // wipe the longer line
      last_length = length;
      std::fprintf(stderr, "\r%s", text.c_str());
      std::fflush(stderr);
      drawn_ = true;
    }
    if (drawn_) std::fprintf(stderr, "\r%*s\r", static_cast<int>(last_length), "");
  });
}

void ProgressBar::finish() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  thread_.join();
}

}  // namespace cxsim::cli
