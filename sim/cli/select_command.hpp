#pragma once
// `cxsim select results.h5 --objective profit [--maximize|--minimize] [--constraint "m>=x" ...]
// [--confidence 0.95] [--indifference D]`: ranking and selection with a stated confidence.

#include <CLI/CLI.hpp>

#include "study_support.hpp"

namespace cxsim::cli {

struct SelectArgs {
  CLI::App* app = nullptr;
  std::string file;
  std::string objective = "profit";
  bool maximize = false, minimize = false;
  std::vector<std::string> constraints;
  double confidence = 0.95;
  double indifference = 0;
  int first_stage = 10;
  int max_replications = 200;
  bool no_rerun = false;
  std::string scenario;                 ///< re-run from this scenario instead of the file's
  std::vector<std::string> strategies;  ///< only these (default: every run in the file)
  int threads = 0;
  bool quiet = false;
};

SelectArgs& add_select_command(CLI::App& app);
int run_select(const SelectArgs& args);

}  // namespace cxsim::cli
