#pragma once
// SIGINT and SIGTERM for `cxsim run` (docs/reliability.md): the handler only records the signal;
// the run checks the flag between phases, the runner between replications and the writer right
// before its commit (the rename), so a signal at any moment ends the run with 128 + the signal's
// number (130 for SIGINT, 143 for SIGTERM) and leaves the output path as it was. A signal after
// the commit is too late to undo anything: the run finishes normally (exit 0).

#include <atomic>

namespace cxsim::cli {

/// Installs the handlers (SA_RESTART, so interrupted reads and writes resume).
void install_signal_handlers();

/// Set by the first SIGINT or SIGTERM.
const std::atomic<bool>& cancel_flag();
std::atomic<bool>& cancel_flag_mutable();

/// Throws Cancelled when a signal arrived.
void throw_if_cancelled();

/// 128 + the signal received (130 when none was recorded: a Cancelled from elsewhere).
int interrupted_exit_status();

}  // namespace cxsim::cli
