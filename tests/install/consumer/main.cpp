// Runs a scenario through an installed cxsim's facade and prints its key figures:
//   consumer SCENARIO.toml
#include <iostream>

#include "app/study.hpp"
#include "cxsim/version.hpp"
#include "io/figure_text.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  cxsim::Study study = cxsim::prepare_study(
      cxsim::load_study_scenario(argv[1], {"market.population=2000", "run.horizon_days=60"}), {}, 1);
  const cxsim::StudyOutcome outcome = cxsim::run_study(study, {});
  std::vector<cxsim::RunSeries> runs;
  for (const auto& r : outcome.result.runs) runs.push_back({r.plan.name, r.plan.description, {}, &r.series});
  std::cout << "cxsim " << cxsim::kVersion << "\n" << cxsim::key_figure_table(runs);
  return 0;
}
