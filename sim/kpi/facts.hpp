#pragma once
// The published regularities of customer experience (the stylised facts the full model should
// show) measured from a run, each beside its published band and source: `cxsim facts` and
// Results.facts() print these rows (docs/validation.md). Plain computation, no I/O.

#include <cstdint>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/results.hpp"

namespace cxsim {

/// One measured fact.
struct FactRow {
  std::string id;    ///< stable identifier, e.g. "tarp_moderate_resolved_quickly"
  std::string fact;  ///< what is measured, in words
  std::string unit;  ///< "share", "ratio", "touchpoints", "contacts/order", "change"
  double value;      ///< the mean over replications (NaN when it cannot be measured)
  double ci_low;     ///< 95% Student t interval across replications (NaN with one)
  double ci_high;
  int replications;  ///< replications it was measured in
  double band_low;   ///< the published band (NaN when there is none)
  double band_high;
  std::string band;    ///< the band as text ("32%-42%", "about 12", "none published")
  std::string status;  ///< inside, outside, no band, needs run.episodes = true, not measurable
  std::string source;  ///< author and year (or "assumption")
  std::string note;    ///< how it is measured or computed
};

/// What the facts are measured from: one strategy of a run.
struct FactsInput {
  Params params;     ///< the strategy's parameters (from day 0)
  SeriesSet series;  ///< its daily series
  bool has_episodes = false;
  int episode_replications = 0;
  std::vector<std::int32_t> episode_replication;  ///< per row
  std::vector<EpisodeRow> episodes;
};

/// Every fact, in a fixed order (docs/validation.md lists them).
std::vector<FactRow> measure_facts(const FactsInput& input);

/// Good touchpoints whose valued disconfirmation offsets one moderate failure, from the
/// parameters: the loss lambda (E - x_moderate)^a over the mean gain E[v(x - E)] of a normal
/// touchpoint x ~ N(performance_normal, performance_sd) clamped to [0, 1], segments weighted by
/// their shares; with `open_days` > 0 the open issue's daily cost for that many days is added.
double touchpoints_to_offset_failure(const Params& params, double open_days);

}  // namespace cxsim
