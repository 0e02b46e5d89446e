#pragma once
// `cxsim calibrate SCENARIO TARGETS -o calibrated.toml [--replications R] [--budget N]`: fit free
// keys to a firm's observed figures; resumes from its progress file when killed.

#include <CLI/CLI.hpp>

#include "study_support.hpp"

namespace cxsim::cli {

struct CalibrateArgs {
  CLI::App* app = nullptr;
  StudyScenario scenario;
  std::string targets;
  std::string output;
  std::optional<int> replications;
  int budget = 60;
  int starts = 3;
  std::string progress_file;  ///< default: <output>.progress
  bool force = false;         ///< replace an existing calibrated scenario
};

CalibrateArgs& add_calibrate_command(CLI::App& app);
int run_calibrate(const CalibrateArgs& args, const std::string& command_line);

}  // namespace cxsim::cli
