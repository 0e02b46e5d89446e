#pragma once
// Running the simulator for the studies (calibrate, sensitivity, select): a baseline run plan
// evaluated at points of chosen real-valued keys, each point a run plan with those keys set from
// day 0, all on the same replications (common random numbers), many points at once through
// run_plans() (so in parallel, and independent of the thread count), in chunks that bound memory.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "experiment/experiment.hpp"
#include "experiment/runner.hpp"

namespace cxsim {

/// A number read from a run, per replication: with from_day, a daily series' mean over days
/// from_day..to_day (1-based, inclusive; days without a value skipped); without, a key figure
/// (kpi/compare.hpp find_figure: figures by id, or any metric, flows summed) at the end of to_day.
struct Measure {
  std::string metric;
  int from_day = 0;  ///< 0: a figure at to_day; else the first day of a series' window mean
  int to_day = 0;    ///< 0: the horizon
  SourceRef where;   ///< the measure: a [[target]] table, or the option ("--metric", line 0)
  /// Where each key was written, when it was (else `where`), so that a message points at its line.
  SourceRef where_metric, where_from_day, where_to_day;
};

/// Checks the metric name and window against the horizon, and that the figure can have a value
/// at the day it is read (12-month retention has none before day 365: metric_first_day).
/// @throws InputError at the key's line (key "metric", "from_day" or "to_day"; no key for an
///         option) naming the known metrics or the allowed days
void check_measure(const Measure& measure, int horizon);

/// One value per replication.
std::vector<double> measure_values(const Measure& measure, const SeriesSet& series);

/// Checks that `key` can be varied by a study: known, a real number (or integer when
/// `allow_integer`), not run.*, and [min, max] a non-empty range inside the key's own range. A
/// segment's number (segment[1].expectation, segment.price-driven.price_sensitivity) may be varied,
/// in one of `params`' segments; a share may not (the shares sum to 1).
/// @throws InputError at `where` naming the key and what is allowed
void check_study_key(const std::string& key, double min, double max, const SourceRef& where,
                     bool allow_integer, const Params& params);

/// The value `key` (a parameter, or a segment's number: segment[1].expectation) has in `params`.
/// @throws InputError naming the key when it names nothing
double study_key_value(const Params& params, const std::string& key);

/// A study's search box (calibrate's [[free]] ranges, sensitivity's --vary) allowed a point that
/// breaks a rule between keys (two shares above 1): `e`, from that point's scenario check, becomes
/// the box's error, named with `box` ("the [[free]] ranges") and `file`. An error that already
/// names its file is passed on as it is.
[[noreturn]] void throw_box_error(const InputError& e, const std::string& box, const std::string& file);

struct StudyRunner {
  RunPlan base;  ///< the plan every point starts from (its params and interventions)
  std::vector<std::string> keys;
  int replications = 1;
  RunOptions options;  ///< threads and cancel; `progress` is replaced (see below)
  const Network* network = nullptr;
  int chunk = 16;  ///< points per run_plans() call
  /// Called with (customer-days done, customer-days planned) across every run() call.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  std::uint64_t planned_customer_days = 0;

  /// values[point][measure][replication] for replications [first, first + replications).
  /// Safe to call from several threads at once.
  /// @throws InputError when a point's values make an invalid scenario (the key named)
  std::vector<std::vector<std::vector<double>>> run(const std::vector<std::vector<double>>& points,
                                                    const std::vector<Measure>& measures,
                                                    int first = 0) const;
  /// Plans with names: one per point.
  std::vector<RunPlan> plans(const std::vector<std::vector<double>>& points) const;
  /// Checks the scenario at every corner of the box [min, max] of the keys (up to 12 keys; 4,096
  /// corners), before any simulation: a rule between keys (phone.open_hour below close_hour)
  /// that the box breaks somewhere is found whatever points the study happens to draw.
  /// @throws InputError as plans() does
  void check_corners(const std::vector<double>& min, const std::vector<double>& max) const;
  /// Customer-days of one point's replications.
  std::uint64_t customer_days_per_point() const;

 private:
  mutable std::atomic<std::uint64_t> done_{0};
};

/// Shortest text that reads back to x.
std::string shortest_text(double x);

/// A study's value of a key as the scenario reader takes it: an integer key's value rounded and in
/// plain digits (shortest_text would write 2e+07, which an integer key does not read).
std::string study_value_text(const ParamSpec& spec, double x);

}  // namespace cxsim
