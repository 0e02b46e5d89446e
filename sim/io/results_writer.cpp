#include "io/results_writer.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <variant>

#include <cxsim/version.hpp>

#include "core/errors.hpp"
#include "io/h5.hpp"
#include "io/output_path.hpp"
#include "kpi/compare.hpp"
#include "model/touchpoint_table.hpp"

namespace cxsim {

namespace fs = std::filesystem;

// SHA-256 from OpenSSL's libcrypto (Debian's libssl-dev; HDF5 links it already) rather than a
// hand-written one.
std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1 || size != 32)
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_Digest)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// --- the layout (docs/results-format.md) --------------------------------------------------------

namespace {

constexpr const char* kRngScheme =
    "Philox4x64-10 keyed by (seed, replication), counter (purpose, customer, day, block)";

const char* kind_name(MetricKind kind) {
  switch (kind) {
    case MetricKind::stock:
      return "stock";
    case MetricKind::flow:
      return "flow";
    case MetricKind::ratio:
      return "ratio";
  }
  return "?";
}

void write_root(const h5::File& file, const Params& p, const RunStats& stats, const Provenance& prov) {
  file.write_attr("format", kResultsFormat);
  file.write_attr("format_version", std::int64_t{kResultsFormatVersion});
  file.write_attr("cxsim_version", kVersion);
  file.write_attr("git_sha", kGitSha);
  file.write_attr("created_utc", prov.created_utc.empty() ? utc_now_iso8601() : prov.created_utc);
  file.write_attr("command_line", prov.command_line);
  file.write_attr("scenario_path", prov.scenario_path);
  file.write_attr("scenario_text", prov.scenario_text);
  file.write_attr("scenario_sha256", sha256_hex(prov.scenario_text));
  file.write_attr("seed", p.run_seed);
  file.write_attr("replications", p.run_replications);
  file.write_attr("horizon_days", p.run_horizon_days);
  file.write_attr("population", p.market_population);
  file.write_attr("threads", std::int64_t{stats.threads});
  file.write_attr("seconds_total", stats.seconds_total);
  file.write_attr("seconds_simulating", stats.seconds_simulating);
  file.write_attr("customer_days", static_cast<std::int64_t>(stats.customer_days));
  file.write_attr("rng_scheme", kRngScheme);
}

/// A parameter as an attribute named by its key: numbers and booleans in their own type, the rest
/// as text.
void write_param_attr(const h5::Object& object, const ParamSpec& spec, const Params& params) {
  std::visit(
      [&](auto member) {
        const auto& value = params.*member;
        if constexpr (std::is_arithmetic_v<std::decay_t<decltype(value)>>)
          object.write_attr(spec.key, value);
        else
          object.write_attr(spec.key, std::string_view(param_to_string(params, spec)));
      },
      spec.member);
}

void write_parameters(const h5::File& file, const Params& params) {
  const h5::Group group = file.create_group("parameters");
  for (const ParamSpec& spec : param_specs()) write_param_attr(group, spec, params);
  const h5::Group segments = group.create_group("segments");
  for (std::size_t i = 0; i < params.segments.size(); ++i) {
    const Segment& segment = params.segments[i];
    const h5::Group g = segments.create_group(std::to_string(i));
    g.write_attr("name", segment.name);
    for (const SegmentParamSpec& spec : segment_param_specs()) g.write_attr(spec.name, segment.*spec.member);
  }
}

void write_series(const h5::Group& strategy, const SeriesSet& series) {
  const h5::Group group = strategy.create_group("series");
  group.write_attr("replications", std::int64_t{series.replications});
  group.write_attr("days", std::int64_t{series.days});
  const std::array<hsize_t, 2> dims = {static_cast<hsize_t>(series.replications),
                                       static_cast<hsize_t>(series.days)};
  for (int m = 0; m < kMetricCount; ++m) {
    const MetricDef& def = metric_defs()[m];
    const h5::Dataset ds = group.write_dataset(def.name, series.metric(static_cast<Metric>(m)), dims);
    ds.write_attr("unit", def.unit);
    ds.write_attr("kind", kind_name(def.kind));
    ds.write_attr("description", def.description);
    ds.write_attr("dimensions", "replication,day");
  }
}

// output.by_segment: each metric as [replication, day, segment], segment in the order of
// /parameters/segments (their names in the group's `segments` attribute, comma-separated).
void write_series_by_segment(const h5::Group& strategy, const std::vector<SeriesSet>& by_segment,
                             const std::vector<Segment>& segments) {
  const h5::Group group = strategy.create_group("series_by_segment");
  const SeriesSet& first = by_segment.front();
  const std::size_t count = by_segment.size(),
                    cells = static_cast<std::size_t>(first.replications) * first.days;
  group.write_attr("replications", std::int64_t{first.replications});
  group.write_attr("days", std::int64_t{first.days});
  std::string names;
  for (const Segment& segment : segments) names += (names.empty() ? "" : ",") + segment.name;
  group.write_attr("segments", names);
  group.write_attr("description",
                   "Every daily series split by customer segment: flows and stocks are the segment's "
                   "part of the total, ratios are over the segment's customers; contact-centre queue "
                   "figures, service cost, profit and clv have no segment and are NaN");
  const std::array<hsize_t, 3> dims = {static_cast<hsize_t>(first.replications),
                                       static_cast<hsize_t>(first.days), static_cast<hsize_t>(count)};
  std::vector<double> values(cells * count);
  for (int m = 0; m < kMetricCount; ++m) {
    for (std::size_t s = 0; s < count; ++s) {
      const auto block = by_segment[s].metric(static_cast<Metric>(m));  // [replication, day]
      for (std::size_t k = 0; k < cells; ++k) values[k * count + s] = block[k];
    }
    const MetricDef& def = metric_defs()[m];
    const h5::Dataset ds = group.write_dataset(def.name, std::span<const double>(values), dims);
    ds.write_attr("unit", def.unit);
    ds.write_attr("kind", kind_name(def.kind));
    ds.write_attr("description", def.description);
    ds.write_attr("dimensions", "replication,day,segment");
  }
}

void write_customers(const h5::Group& strategy, const std::vector<std::vector<CustomerColumn>>& customers) {
  const h5::Group group = strategy.create_group("customers");
  group.write_attr("replications", static_cast<std::int64_t>(customers.size()));
  for (std::size_t r = 0; r < customers.size(); ++r) {
    const h5::Group rep = group.create_group("rep_" + std::to_string(r));
    for (const CustomerColumn& column : customers[r]) {
      const h5::Dataset ds = std::visit(
          [&](const auto& values) {
            const std::array<hsize_t, 1> dims = {values.size()};
            return rep.write_dataset(column.name, std::span(values), dims);
          },
          column.data);
      ds.write_attr("unit", column.unit);
      ds.write_attr("description", column.description);
    }
  }
}

std::string joined(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) (out += out.empty() ? "" : ",") += n;
  return out;
}

// The episode record (run.episodes): one table of every replication's rows, a column per field
// (like /summary), categorical columns as uint8 codes with their `categories`.
void write_episodes(const h5::Group& strategy, const std::vector<EpisodeTable>& tables,
                    const Params& params) {
  std::size_t rows = 0;
  std::uint64_t dropped = 0;
  for (const EpisodeTable& t : tables) {
    rows += t.rows.size();
    dropped += t.rows_dropped;
  }
  const h5::Group group = strategy.create_group("episodes");
  group.write_attr("rows", static_cast<std::int64_t>(rows));
  group.write_attr("replications", static_cast<std::int64_t>(tables.size()));
  group.write_attr("sample", std::int64_t{params.run_episode_sample});
  group.write_attr("max_rows", std::int64_t{params.run_episode_max_rows});
  group.write_attr("rows_dropped", static_cast<std::int64_t>(dropped));
  group.write_attr("truncated", dropped > 0);
  group.write_attr("description",
                   "One row per problem episode of the recorded customers (those whose id is a multiple "
                   "of `sample`): from the failed touchpoint that opened an issue to the customer's next "
                   "purchase occasion after it closed, each replication's rows in the order they completed");
  group.write_attr("note", dropped > 0 ? "TRUNCATED: a replication completed more than max_rows episodes; "
                                         "rows_dropped were counted but not kept (raise run.episode_max_rows "
                                         "or run.episode_sample)"
                                       : "complete: every episode of the recorded customers is here");
  const std::array<hsize_t, 1> dims = {rows};
  const auto column = [&](const char* name, auto field, const char* unit, const char* description,
                          std::string_view categories = {}) {
    using T = decltype(field(std::size_t{0}, EpisodeRow{}));
    std::vector<T> values;
    values.reserve(rows);
    for (std::size_t r = 0; r < tables.size(); ++r)
      for (const EpisodeRow& row : tables[r].rows) values.push_back(field(r, row));
    const h5::Dataset ds = group.write_dataset(name, std::span<const T>(values), dims);
    ds.write_attr("unit", unit);
    ds.write_attr("description", description);
    if (!categories.empty()) ds.write_attr("categories", categories);
  };
  using R = const EpisodeRow&;
  using N = std::size_t;
  std::vector<std::string_view> segments;
  for (const Segment& s : params.segments) segments.push_back(s.name);
  std::vector<std::string_view> touchpoints;
  for (const TouchpointType& tp : kTouchpoints) touchpoints.push_back(tp.name);
  const std::string_view severities[] = {"none", "mild", "moderate", "severe"};
  column(
      "replication", [](N r, R) { return static_cast<std::int32_t>(r); }, "", "Replication index (0-based)");
  column(
      "customer", [](N, R e) { return static_cast<std::int32_t>(e.customer); }, "",
      "Customer id (0-based; index of /strategies/NAME/customers columns)");
  column(
      "segment", [](N, R e) { return e.segment; }, "",
      "The customer's segment (index into /parameters/segments)", joined(segments));
  column(
      "day_opened", [](N, R e) { return e.day_opened; }, "day", "Day the failed touchpoint opened the issue");
  column(
      "touchpoint", [](N, R e) { return e.touchpoint; }, "", "The touchpoint that failed",
      joined(touchpoints));
  column(
      "severity", [](N, R e) { return e.severity; }, "",
      "Severity of the problem (the worst it reached while open)", joined(severities));
  column(
      "notified", [](N, R e) { return e.notified; }, "", "1: a proactive notification reached the customer");
  column(
      "contacted", [](N, R e) { return static_cast<std::uint8_t>(e.contacts > 0); }, "",
      "1: the customer contacted the firm about it; 0: silent");
  column(
      "contacts", [](N, R e) { return e.contacts; }, "contacts", "Contacts made about it");
  column(
      "channel", [](N, R e) { return e.channel; }, "", "Channel of the first contact (none: silent)",
      joined(kEpisodeChannelNames));
  column(
      "outcome", [](N, R e) { return static_cast<std::uint8_t>(e.outcome); }, "", "How the episode ended",
      joined(kEpisodeOutcomeNames));
  column(
      "day_closed", [](N, R e) { return e.day_closed; }, "day", "Day it closed (-1: open at the end)");
  column(
      "days_to_resolution", [](N, R e) { return e.days_to_resolution; }, "days",
      "Days from opening to resolution (resolved outcomes; -1 otherwise)");
  column(
      "attitude_before", [](N, R e) { return e.attitude_before; }, "attitude",
      "Attitude S just before the failure");
  column(
      "attitude_after", [](N, R e) { return e.attitude_after; }, "attitude",
      "Attitude S when the episode closed (at the end of the run if still open)");
  column(
      "next_order", [](N, R e) { return static_cast<std::uint8_t>(e.stay); }, "",
      "At the first purchase occasion after it closed: stayed (ordered) or churned; censored when "
      "the run ended first (a customer who churns with the issue open churned, outcome unresolved)",
      joined(kEpisodeStayNames));
  column(
      "next_order_day", [](N, R e) { return e.next_order_day; }, "day",
      "Day of that purchase occasion (-1: censored)");
  column(
      "stories_told", [](N, R e) { return static_cast<std::int32_t>(e.stories_told); }, "stories",
      "New stories (good or bad) the customer started from the failure to that purchase occasion");
  column(
      "people_reached", [](N, R e) { return static_cast<std::int32_t>(e.people_reached); }, "people",
      "Listeners the customer told those stories to (by itself; retellings by others not counted)");
}

const char* kind_name(RunKind kind) {
  switch (kind) {
    case RunKind::baseline:
      return "baseline";
    case RunKind::strategy:
      return "strategy";
    case RunKind::sweep_point:
      return "sweep_point";
  }
  return "?";
}

// What makes a strategy: its kind and description, one attribute per key it sets from day 0 (the
// values of a sweep point), and /interventions/<i> groups, each with `day` and the keys it sets.
void write_plan(const h5::Group& group, const RunPlan* plan) {
  group.write_attr("kind", plan ? kind_name(plan->kind) : "baseline");
  group.write_attr("description", plan ? std::string_view(plan->description) : "The scenario as written");
  if (!plan) return;
  for (const ParamOverride& o : plan->overrides)
    if (const ParamSpec* spec = find_param(o.key)) write_param_attr(group, *spec, plan->params);
  if (plan->changes.empty()) return;
  const h5::Group changes = group.create_group("interventions");
  for (std::size_t i = 0; i < plan->changes.size(); ++i) {
    const RunPlan::Change& change = plan->changes[i];
    const h5::Group g = changes.create_group(std::to_string(i));
    g.write_attr("day", std::int64_t{change.day});
    for (const ParamOverride& o : change.overrides)
      if (const ParamSpec* spec = find_param(o.key)) write_param_attr(g, *spec, change.params);
  }
}

// One row per (strategy, replication): a table pandas reads with
// pd.DataFrame({k: f["summary"][k][()] for k in f["summary"]}).
void write_summary(const h5::File& file, const SummaryTable& t) {
  const h5::Group group = file.create_group("summary");
  group.write_attr("rows", static_cast<std::int64_t>(t.strategy.size()));
  group.write_attr("description",
                   "One row per strategy and replication: sweep values, then key figures at the "
                   "horizon (_final: the last day; _last30: the last 30 days; _total: summed over "
                   "the run)");
  std::string keys;
  for (const auto& [key, column] : t.sweep_columns) keys += (keys.empty() ? "" : ",") + key;
  group.write_attr("sweep_keys", keys);
  const std::array<hsize_t, 1> dims = {t.strategy.size()};
  group.write_strings("strategy", t.strategy).write_attr("description", "Strategy (group under /strategies)");
  group.write_dataset("replication", std::span<const std::int64_t>(t.replication), dims)
      .write_attr("description", "Replication index (0-based; the same random numbers in every strategy)");
  for (const auto& [key, column] : t.sweep_columns) {
    const h5::Dataset ds = group.write_dataset(key, std::span<const double>(column), dims);
    ds.write_attr("description", "Swept parameter's value (NaN for runs that are not sweep points)");
    if (const ParamSpec* spec = find_param(key)) ds.write_attr("unit", spec->unit);
  }
  for (const auto& [figure, column] : t.figure_columns) {
    const h5::Dataset ds = group.write_dataset(figure.column, std::span<const double>(column), dims);
    ds.write_attr("unit", figure.unit);
    ds.write_attr("description", figure.label);
    ds.write_attr("metric", figure.metric);
  }
}

void check_inputs(const std::string& path, const SeriesSet& s, const std::string& strategy) {
  if (strategy.empty() || strategy == "." || strategy.find('/') != std::string::npos)
    throw InputError("strategy name '" + strategy +
                         "' cannot name an HDF5 group (empty, '.' or "
                         "containing '/')",
                     path);
  if (s.replications < 0 || s.days < 0 ||
      s.values.size() != static_cast<std::size_t>(kMetricCount) * s.replications * s.days)
    throw std::invalid_argument("write_results: series holds " + std::to_string(s.values.size()) +
                                " values, not metrics x replications x days");
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::is_directory(dir))
    throw InputError("cannot write results: directory '" + dir.string() + "' does not exist", path);
}

}  // namespace

namespace {

/// One run to write: a strategy group's name, what it is, and its data (not owned).
struct RunView {
  std::string name;
  const RunPlan* plan = nullptr;  ///< nullptr for a plain run (written as the baseline)
  const SeriesSet* series = nullptr;
  const std::vector<std::vector<CustomerColumn>>* customers = nullptr;
  const std::vector<EpisodeTable>* episodes = nullptr;
  const Params* params = nullptr;  ///< the run's parameters (segment names of the episodes)
  const std::vector<SeriesSet>* segment_series = nullptr;  ///< empty without output.by_segment
};

void write_file(const std::string& path, const Params& params, const RunStats& stats, const Provenance& prov,
                const std::vector<RunView>& runs, const WriteOptions& options) {
  std::vector<RunSeries> summary_runs;
  for (const RunView& run : runs) {
    check_inputs(path, *run.series, run.name);
    if (!run.segment_series->empty() && run.segment_series->size() != params.segments.size())
      throw std::invalid_argument("write_results: series by segment for " +
                                  std::to_string(run.segment_series->size()) +
                                  " segments, the parameters have " + std::to_string(params.segments.size()));
    for (const SeriesSet& s : *run.segment_series)
      if (s.replications != run.series->replications || s.days != run.series->days)
        throw std::invalid_argument("write_results: a segment's series differs in shape from the totals");
    summary_runs.push_back({run.name, run.plan ? run.plan->description : "",
                            run.plan ? run.plan->sweep_values : std::vector<std::pair<std::string, double>>{},
                            run.series});
  }
  // Checked first (kind of target, directory, room); then the file is built in memory and
  // published atomically (io/output_path.hpp).
  const OutputTarget target = options.target ? *options.target : check_output(path, options.replace, 0);
  const auto cancelled = [&] { return options.cancel && options.cancel->load(); };
  TempOutput temp(target);
  {
    h5::File file;
    try {
      file = h5::File::create(temp.file());
    } catch (const h5::Error& e) {
      throw InputError(std::string("cannot write results: ") + e.what(), path);
    }
    write_root(file, params, stats, prov);
    write_parameters(file, params);
    {
      const h5::Group strategies = file.create_group("strategies");
      for (const RunView& run : runs) {
        if (cancelled()) throw Cancelled();
        const h5::Group group = strategies.create_group(run.name);
        write_plan(group, run.plan);
        write_series(group, *run.series);
        if (!run.segment_series->empty())
          write_series_by_segment(group, *run.segment_series, params.segments);
        if (!run.customers->empty()) write_customers(group, *run.customers);
        if (run.episodes && !run.episodes->empty()) write_episodes(group, *run.episodes, *run.params);
      }
    }
    write_summary(file, summary_table(summary_runs));
    file.close();  // checked: every object is closed by now, or this throws
  }
  try {
    h5::seal_global_heaps(temp.file());
  } catch (const h5::Error& e) {
    throw InputError(std::string("cannot write results: ") + e.what(), path);
  }
  temp.commit(options.cancel);
}

}  // namespace

void write_results(const std::string& path, const RunResult& result, const Provenance& prov,
                   const std::string& strategy, const WriteOptions& options) {
  write_file(path, result.params, result.stats, prov,
             {RunView{strategy, nullptr, &result.series, &result.customers, &result.episodes, &result.params,
                      &result.segment_series}},
             options);
}

void write_results(const std::string& path, const ExperimentResult& result, const Provenance& prov,
                   const WriteOptions& options) {
  std::vector<RunView> runs;
  for (const StrategyResult& run : result.runs)
    runs.push_back({run.plan.name, &run.plan, &run.series, &run.customers, &run.episodes, &run.plan.params,
                    &run.segment_series});
  write_file(path, result.baseline, result.stats, prov, runs, options);
}

}  // namespace cxsim
