#pragma once
// The what-if part of a scenario file: [[strategy]] tables with their [[strategy.intervention]]
// sub-tables, top-level [[intervention]] tables and a [sweep] (syntax in docs/scenarios.md).

#include "experiment/experiment.hpp"
#include "io/scenario_reader.hpp"

namespace cxsim {

/// The experiment a scenario declares. Its baseline is `scenario.params` as they stand, so
/// `--set` overrides applied before (apply_overrides) reach every strategy; a strategy's own
/// override of the same key still wins. Checks keys, types, ranges, names, intervention days
/// (against the baseline's horizon) and intervenable flags, with file:line:column; the
/// cross-parameter checks of each resolved strategy happen in plan_experiment().
/// @throws InputError naming the file, line, column and key
Experiment read_experiment(const Scenario& scenario);

}  // namespace cxsim
