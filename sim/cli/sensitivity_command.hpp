#pragma once
// `cxsim sensitivity SCENARIO --vary KEY:MIN:MAX ... --metric M ... --method morris|sobol`.

#include <CLI/CLI.hpp>

#include "study_support.hpp"

namespace cxsim::cli {

struct SensitivityArgs {
  CLI::App* app = nullptr;
  StudyScenario scenario;
  std::vector<std::string> vary, metrics;
  std::string method = "morris";
  int samples = 0;  ///< trajectories (Morris, default 20) or N (Sobol', default 256)
  std::optional<int> replications;
  int bootstrap = 1000;
  std::string output;
  bool force = false;  ///< replace an existing sensitivity file
};

SensitivityArgs& add_sensitivity_command(CLI::App& app);
int run_sensitivity(const SensitivityArgs& args, const std::string& command_line);

}  // namespace cxsim::cli
