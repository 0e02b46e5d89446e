#include "signals.hpp"

#include <signal.h>

#include <csignal>

#include "core/errors.hpp"

namespace cxsim::cli {

namespace {

std::atomic<bool> g_cancel{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int signo) {
  if (g_signal == 0) g_signal = signo;
  g_cancel.store(true);
}

}  // namespace

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

const std::atomic<bool>& cancel_flag() {
  return g_cancel;
}
std::atomic<bool>& cancel_flag_mutable() {
  return g_cancel;
}

void throw_if_cancelled() {
  if (g_cancel.load()) throw Cancelled();
}

int interrupted_exit_status() {
  return 128 + (g_signal != 0 ? static_cast<int>(g_signal) : SIGINT);
}

}  // namespace cxsim::cli
