#include "io/results_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <tuple>
#include <type_traits>
#include <variant>

#include <sys/stat.h>

#include "core/errors.hpp"
#include "io/figure_text.hpp"
#include "io/h5.hpp"
#include "io/limits.hpp"
#include "io/output_path.hpp"
#include "io/results_writer.hpp"
#include "io/system.hpp"
#include "io/text_format.hpp"
#include "model/touchpoint_table.hpp"

namespace cxsim {

namespace fs = std::filesystem;

namespace {

// HDF5 failures after a successful open mean a damaged file: report them as such, with the path.
template <class F>
auto reading(const std::string& path, F&& body) {
  try {
    return body();
  } catch (const h5::Error& e) {
    throw InputError(std::string("damaged or unsupported results file: ") + e.what(), path);
  } catch (const std::bad_alloc&) {
    throw InputError("results file too large for the memory available", path);
  } catch (const std::length_error&) {
    throw InputError("results file too large for the memory available", path);
  }
}

// --- opening, with errors that say what the file is not -----------------------------------------

h5::File open_results(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path, error)) throw InputError("no such file", path);
  if (fs::is_directory(path, error)) throw InputError("is a directory, not a results file", path);
  // A FIFO or device would block or never end: only regular files are opened.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw InputError("not a regular file (a device, FIFO or socket), so not a results file", path);
  // Nothing read may need more than a quarter of the memory available now.
  const std::uint64_t available = available_memory_bytes();
  h5::set_read_limits(available > 0 ? available / 4 : std::uint64_t{1} << 32,
                      static_cast<std::uint64_t>(st.st_size));
  bool hdf5 = false;
  try {
    hdf5 = h5::is_hdf5(path);
  } catch (const h5::Error& e) {
    throw InputError(std::string("cannot read: ") + e.what(), path);
  }
  if (!hdf5) throw InputError("not an HDF5 file, so not a cxsim results file", path);
  h5::File file;
  try {
    h5::verify_global_heaps(path, &file);
  } catch (const h5::Error& e) {
    throw InputError(std::string("damaged results file: ") + e.what(), path);
  }
  reading(path, [&] {
    if (file.superblock_version() < 2)
      throw InputError("an HDF5 file without checksummed metadata (superblock version " +
                           std::to_string(file.superblock_version()) +
                           "), so not a cxsim results file (cxsim writes version 2 or later)",
                       path);
    if (!file.has_attr("format") || file.read_attr_text("format") != kResultsFormat)
      throw InputError(
          "an HDF5 file but not a cxsim results file (no root attribute format = "
          "\"cxsim-results\")",
          path);
    if (!file.has_attr("format_version"))
      throw InputError("cxsim results file without a format_version attribute", path);
    const auto version = file.read_attr<std::int64_t>("format_version");
    if (version < 1 || version > kResultsFormatVersion)
      throw InputError("results format version " + std::to_string(version) + "; this cxsim reads " +
                           "versions 1 to " + std::to_string(kResultsFormatVersion),
                       path);
  });
  return file;
}

// --- root, parameters, strategies ---------------------------------------------------------------

std::map<std::string, std::string> attributes_as_text(const h5::Object& object) {
  std::map<std::string, std::string> out;
  for (const std::string& name : object.attr_names()) out[name] = object.read_attr_text(name);
  return out;
}

// A parameter's attribute has the type this build writes for its key (write_param_attr): a
// number as a number, a whole number as a whole number, a switch as a boolean, the rest as text.
// Text where a number is written ('53' for 53) or 20.5 for a whole number is a damaged file: read
// as text it would compare equal to a plan's value, and re-runs would start from a value nobody
// chose. Keys this build does not know (a newer build's) are left as they are.
void check_param_type(const h5::Object& object, const std::string& key, const std::string& where,
                      const std::string& path) {
  const ParamSpec* spec = find_param(key);
  if (!spec) return;
  const h5::AttrType type = object.attr_type(key);
  const bool number = type == h5::AttrType::real || type == h5::AttrType::integer;
  const bool text = type == h5::AttrType::string || type == h5::AttrType::other_string;
  const char* wanted = std::visit(
      [&](auto member) -> const char* {
        using T = std::decay_t<decltype(Params{}.*member)>;
        if constexpr (std::is_same_v<T, double>) return number ? nullptr : "a number";
        if constexpr (std::is_same_v<T, std::int64_t>) {
          if (type != h5::AttrType::real) return type == h5::AttrType::integer ? nullptr : "a whole number";
          const double real = object.read_attr<double>(key);
          return std::trunc(real) == real && std::abs(real) < 9.2e18 ? nullptr : "a whole number";
        }
        if constexpr (std::is_same_v<T, bool>)
          return type == h5::AttrType::boolean || type == h5::AttrType::integer ? nullptr : "true or false";
        return text ? nullptr : "text";
      },
      spec->member);
  if (wanted)
    throw InputError(where + " holds " +
                         (text ? "text '" + object.read_attr_text(key) + "'" : object.read_attr_text(key)) +
                         ", where cxsim writes " + wanted + " (a damaged file)",
                     path, 0, 0, key);
}

template <class T>
void read_if_present(const h5::Object& object, const char* name, T& out) {
  if (object.has_attr(name)) out = object.read_attr<T>(name);
}

void read_root(const h5::File& file, ResultsFile& out) {
  out.attributes = attributes_as_text(file);
  out.format_version = static_cast<int>(file.read_attr<std::int64_t>("format_version"));
  read_if_present(file, "cxsim_version", out.cxsim_version);
  read_if_present(file, "git_sha", out.git_sha);
  read_if_present(file, "created_utc", out.created_utc);
  read_if_present(file, "command_line", out.command_line);
  read_if_present(file, "scenario_path", out.scenario_path);
  read_if_present(file, "scenario_text", out.scenario_text);
  read_if_present(file, "scenario_sha256", out.scenario_sha256);
  read_if_present(file, "rng_scheme", out.rng_scheme);
  read_if_present(file, "seed", out.seed);
  read_if_present(file, "replications", out.replications);
  read_if_present(file, "horizon_days", out.horizon_days);
  read_if_present(file, "population", out.population);
  read_if_present(file, "threads", out.threads);
  read_if_present(file, "customer_days", out.customer_days);
  read_if_present(file, "seconds_total", out.seconds_total);
  read_if_present(file, "seconds_simulating", out.seconds_simulating);
}

void read_parameters(const h5::File& file, ResultsFile& out) {
  if (!file.has("parameters")) return;
  const h5::Group group = file.open_group("parameters");
  out.parameters = attributes_as_text(group);
  for (const auto& [key, value] : out.parameters)
    check_param_type(group, key, "/parameters: '" + key + "'", out.path);
  // The one text key with a form of its own: plots and monthly figures count days from it.
  if (const auto date = out.parameters.find("run.start_date");
      date != out.parameters.end() && !date->second.empty() && !is_start_date(date->second))
    throw InputError(
        "/parameters: 'run.start_date' holds '" + date->second +
            "', where cxsim writes a date YYYY-MM-DD from 1900 to 2999 or nothing (a damaged file)",
        out.path, 0, 0, "run.start_date");
  if (!group.has("segments")) return;
  const h5::Group segments = group.open_group("segments");
  // Episode records and split series are labelled by the names: each one present and its own.
  std::set<std::string> names;
  for (const std::string& group : segments.children()) {
    out.segments.push_back(attributes_as_text(segments.open_group(group)));
    const auto found = out.segments.back().find("name");
    const std::string where = "/parameters/segments/" + group;
    if (found == out.segments.back().end() || found->second.empty())
      throw InputError(where + " has no name, where cxsim writes each segment's (a damaged file)", out.path);
    if (!names.insert(found->second).second)
      throw InputError(where + " is named '" + found->second +
                           "' as another segment is; cxsim writes names that differ (a damaged file)",
                       out.path);
  }
}

std::string text_attr(const h5::Object& object, const char* name) {
  return object.has_attr(name) ? object.read_attr_text(name) : std::string();
}

// This build's metrics in registry order first, then unknown ones (from newer files) by name.
void order_metrics(std::vector<std::string>& names) {
  std::stable_sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    const auto rank = [](const std::string& n) {
      const int i = find_metric(n);
      return i < 0 ? kMetricCount : i;
    };
    return rank(a) != rank(b) ? rank(a) < rank(b) : (rank(a) == kMetricCount && a < b);
  });
}

// /series_by_segment: [replication, day, segment] per metric, the strategy's shape, as many
// segments as the group's `segments` attribute names.
void read_series_by_segment(const h5::Group& group, StrategyResults& s, const std::string& path) {
  const std::string names = text_attr(group, "segments");
  std::vector<std::string> segments;
  for (std::size_t start = 0; start <= names.size();) {
    const std::size_t end = std::min(names.find(',', start), names.size());
    segments.push_back(names.substr(start, end - start));
    start = end + 1;
  }
  if (names.empty() || segments.size() > 255)
    throw InputError("series_by_segment of strategy '" + s.name + "' does not name its segments (1 to 255)",
                     path);
  const std::size_t count = segments.size(), cells = static_cast<std::size_t>(s.replications) * s.days;
  std::vector<SeriesSet> sets(count, SeriesSet(s.replications, s.days));
  for (SeriesSet& set : sets)
    std::fill(set.values.begin(), set.values.end(), std::numeric_limits<double>::quiet_NaN());
  for (const std::string& metric : group.children()) {
    const int m = find_metric(metric);
    if (m < 0) continue;  // a newer file's metric: this build has no slot for it
    const h5::Dataset ds = group.open_dataset(metric);
    const auto dims = ds.dims();
    if (dims.size() != 3 || dims[0] != static_cast<hsize_t>(s.replications) ||
        dims[1] != static_cast<hsize_t>(s.days) || dims[2] != count)
      throw InputError("series_by_segment '" + metric + "' of strategy '" + s.name +
                           "' is not [replication, day, segment] of the strategy's shape and " +
                           std::to_string(count) + " segments",
                       path);
    const std::vector<double> values = ds.read<double>();
    if (values.size() != cells * count)
      throw InputError("series_by_segment '" + metric + "' of strategy '" + s.name + "' has the wrong size",
                       path);
    for (std::size_t seg = 0; seg < count; ++seg) {
      double* out = sets[seg].values.data() + static_cast<std::size_t>(m) * cells;
      for (std::size_t k = 0; k < cells; ++k) out[k] = values[k * count + seg];
    }
  }
  s.segment_names = std::move(segments);
  s.segment_series = std::move(sets);
}

StrategyResults read_strategy(const h5::Group& group, const std::string& name, const std::string& path) {
  StrategyResults s;
  s.name = name;
  const h5::Group series = group.open_group("series");
  std::vector<std::string> names = series.children();
  order_metrics(names);
  bool first = true;
  for (const std::string& metric : names) {
    const h5::Dataset ds = series.open_dataset(metric);
    const auto dims = ds.dims();
    if (dims.size() != 2)
      throw InputError("series '" + metric + "' of strategy '" + name + "' is not [replication, day]", path);
    if (first) {
      if (dims[0] == 0 || dims[1] == 0 || dims[0] > kMaxReplicationsInFile || dims[1] > kMaxDaysInFile)
        throw InputError("series '" + metric + "' of strategy '" + name + "' has " + std::to_string(dims[0]) +
                             " replications and " + std::to_string(dims[1]) +
                             " days; a results file has 1 to " + std::to_string(kMaxReplicationsInFile) +
                             " and 1 to " + std::to_string(kMaxDaysInFile),
                         path);
      s.replications = static_cast<int>(dims[0]);
      s.days = static_cast<int>(dims[1]);
      first = false;
    } else if (dims[0] != static_cast<hsize_t>(s.replications) || dims[1] != static_cast<hsize_t>(s.days)) {
      throw InputError("series of strategy '" + name + "' differ in shape", path);
    }
    s.metrics.push_back({metric, text_attr(ds, "unit"), text_attr(ds, "kind"), text_attr(ds, "description")});
    s.values.push_back(ds.read<double>());
    if (s.values.back().size() != static_cast<std::size_t>(s.replications) * static_cast<std::size_t>(s.days))
      throw InputError("series '" + metric + "' of strategy '" + name + "' has the wrong size", path);
  }
  s.kind = group.has_attr("kind") ? group.read_attr_text("kind") : "baseline";
  s.description = text_attr(group, "description");
  // Parameter keys contain a dot; the group's own attributes do not.
  const std::string strategy = "strategy '" + name + "'";
  for (const auto& [key, value] : attributes_as_text(group))
    if (key.find('.') != std::string::npos) {
      check_param_type(group, key, strategy + ": '" + key + "'", path);
      s.overrides[key] = value;
    }
  if (group.has("interventions")) {
    const h5::Group changes = group.open_group("interventions");
    for (const std::string& i : changes.children()) {
      const h5::Group g = changes.open_group(i);
      InterventionRecord record;
      try {
        record.day = g.read_attr<std::int64_t>("day");
      } catch (const h5::Error& e) {
        throw InputError(strategy + ", intervention " + i + ": " + e.what() + " (a damaged file)", path, 0, 0,
                         "day");
      }
      for (const auto& [key, value] : attributes_as_text(g))
        if (key != "day") {
          check_param_type(g, key, strategy + ", intervention " + i + ": '" + key + "'", path);
          record.values[key] = value;
        }
      s.interventions.push_back(std::move(record));
    }
  }
  if (group.has("series_by_segment")) read_series_by_segment(group.open_group("series_by_segment"), s, path);
  if (group.has("customers")) {
    const h5::Group customers = group.open_group("customers");
    for (const std::string& rep : customers.children())
      if (rep.rfind("rep_", 0) == 0) ++s.customer_replications;
    if (customers.has("rep_0")) s.customer_columns = customers.open_group("rep_0").children();
  }
  if (group.has("episodes")) {
    s.has_episodes = true;
    const h5::Group episodes = group.open_group("episodes");
    if (episodes.has_attr("rows")) s.episode_rows = episodes.read_attr<std::int64_t>("rows");
  }
  return s;
}

void read_strategies(const h5::File& file, ResultsFile& out) {
  if (!file.has("strategies"))
    throw InputError("incomplete cxsim results file: no /strategies group", out.path);
  const h5::Group strategies = file.open_group("strategies");
  for (const std::string& name : strategies.children())
    out.strategies.push_back(read_strategy(strategies.open_group(name), name, out.path));
  if (out.strategies.empty()) throw InputError("cxsim results file without any strategy", out.path);
  // Strategies are compared replication by replication (common random numbers): cxsim writes every
  // strategy with the same replications and days. A strategy with fewer was compared on its first
  // replication against the others' mean, under a header giving the others' count.
  const StrategyResults& first = out.strategies.front();
  for (const StrategyResults& s : out.strategies)
    if (s.replications != first.replications || s.days != first.days)
      throw InputError("damaged results file: strategy '" + s.name + "' has " +
                           std::to_string(s.replications) + " replications of " + std::to_string(s.days) +
                           " days, strategy '" + first.name + "' " + std::to_string(first.replications) +
                           " of " + std::to_string(first.days) + " (cxsim writes every strategy alike)",
                       out.path);
}

// The root's counts describe the series (cxsim info prints them): they must agree with them, and
// the population must be one cxsim can simulate. Files without them (none cxsim wrote) pass.
void check_root(const h5::File& file, const ResultsFile& out) {
  const StrategyResults& s = out.strategies.front();
  const auto agree = [&](const char* name, std::int64_t value, std::int64_t series, const char* what) {
    if (file.has_attr(name) && value != series)
      throw InputError("damaged results file: the root attribute '" + std::string(name) + "' is " +
                           std::to_string(value) + ", but the series hold " + std::to_string(series) + " " +
                           what,
                       out.path, 0, 0, name);
  };
  agree("replications", out.replications, s.replications, "replications");
  agree("horizon_days", out.horizon_days, s.days, "days");
  if (file.has_attr("population") && !(out.population >= 1 && out.population <= 4'294'967'295))
    throw InputError("damaged results file: the root attribute 'population' is " +
                         std::to_string(out.population) + "; allowed: a whole number from 1 to 4294967295",
                     out.path, 0, 0, "population");
}

void read_summary(const h5::File& file, ResultsFile& out) {
  if (!file.has("summary")) return;
  const h5::Group group = file.open_group("summary");
  SummaryColumns& t = out.summary;
  for (const std::string& name : group.children()) {
    const h5::Dataset ds = group.open_dataset(name);
    if (name == "strategy")
      t.strategy = ds.read_strings();
    else if (name == "replication")
      t.replication = ds.read<std::int64_t>();
    else
      t.columns.emplace_back(name, ds.read<double>());
  }
  const std::size_t rows = t.strategy.size();
  bool equal = t.replication.size() == rows;
  for (const auto& [name, column] : t.columns) equal = equal && column.size() == rows;
  if (!equal) throw InputError("damaged results file: /summary columns differ in length", out.path);
}

CustomerColumn read_column(const h5::Group& rep, const std::string& name, const std::string& path) {
  const h5::Dataset ds = rep.open_dataset(name);
  CustomerColumn column{name, text_attr(ds, "unit"), text_attr(ds, "description"), {}};
  switch (ds.element_type()) {
    case h5::ElementType::uint8:
      column.data = ds.read<std::uint8_t>();
      break;
    case h5::ElementType::int32:
      column.data = ds.read<std::int32_t>();
      break;
    case h5::ElementType::float32:
      column.data = ds.read<float>();
      break;
    default:
      throw InputError("customer column '" + name + "' is not uint8, int32 or float32", path);
  }
  return column;
}

// One column of an episode table: 1-D, `rows` long, values in [lo, hi].
template <class T>
std::vector<T> episode_column(const h5::Group& group, const char* name, std::size_t rows, std::int64_t lo,
                              std::int64_t hi, const std::string& path) {
  const std::string what = std::string("episode column '") + name + "'";
  if (!group.has(name)) throw InputError("damaged results file: no " + what, path);
  const h5::Dataset ds = group.open_dataset(name);
  if (ds.dims().size() != 1) throw InputError("damaged results file: " + what + " is not 1-D", path);
  // The type cxsim writes, not one HDF5 would convert: a code of 1.5 read as 1 is another answer.
  constexpr h5::ElementType kType = std::is_same_v<T, float>          ? h5::ElementType::float32
                                    : std::is_same_v<T, std::int32_t> ? h5::ElementType::int32
                                                                      : h5::ElementType::uint8;
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, std::int32_t> ||
                std::is_same_v<T, std::uint8_t>);
  if (ds.element_type() != kType)
    throw InputError("damaged results file: " + what + " is not " +
                         (kType == h5::ElementType::float32 ? "float32"
                          : kType == h5::ElementType::int32 ? "int32"
                                                            : "uint8") +
                         ", the type cxsim writes",
                     path);
  std::vector<T> values = ds.read<T>();
  if (values.size() != rows)
    throw InputError("damaged results file: " + what + " has " + std::to_string(values.size()) +
                         " rows, not " + std::to_string(rows),
                     path);
  for (const T v : values)
    if (!(static_cast<double>(v) >= static_cast<double>(lo) &&
          static_cast<double>(v) <= static_cast<double>(hi)))
      throw InputError("damaged results file: " + what + " holds " +
                           (std::isinf(static_cast<double>(v)) ? std::string(v > 0 ? "inf" : "-inf")
                                                               : exact(static_cast<double>(v), "NaN")) +
                           ", outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                       path);
  return values;
}

}  // namespace

std::optional<EpisodeData> read_episodes(const std::string& path, const std::string& strategy) {
  const h5::File file = open_results(path);
  return reading(path, [&]() -> std::optional<EpisodeData> {
    if (strategy.empty() || strategy.find('/') != std::string::npos || !file.has("strategies") ||
        !file.open_group("strategies").has(strategy))
      throw InputError("no strategy '" + strategy + "' in the file", path);
    const h5::Group group = file.open_group("strategies/" + strategy);
    if (!group.has("episodes")) return std::nullopt;
    const h5::Group g = group.open_group("episodes");
    EpisodeData out;
    const auto attr = [&](const char* name) -> std::int64_t {
      if (!g.has_attr(name))
        throw InputError(std::string("damaged results file: episodes without `") + name + "`", path);
      return g.read_attr<std::int64_t>(name);
    };
    const auto damaged = [&](const std::string& what) {
      return InputError("damaged results file: episodes of '" + strategy + "': " + what, path);
    };
    // The run's own figures, where the file has them (read_results checks them against the series).
    const auto root = [&](const char* name, std::int64_t otherwise) {
      return file.has_attr(name) && file.attr_type(name) == h5::AttrType::integer
                 ? file.read_attr<std::int64_t>(name)
                 : otherwise;
    };
    const std::int64_t run_replications = root("replications", -1);
    const std::int64_t population = root("population", std::numeric_limits<std::int32_t>::max());
    const std::int64_t horizon = root("horizon_days", std::numeric_limits<std::int32_t>::max());
    const std::int64_t reps = attr("replications");
    if (reps < 0 || static_cast<std::uint64_t>(reps) > kMaxReplicationsInFile ||
        (run_replications >= 0 && reps != run_replications))
      throw damaged(
          std::to_string(reps) + " replications" +
          (run_replications >= 0 ? ", the run's " + std::to_string(run_replications) : std::string()));
    out.replications = static_cast<int>(reps);
    out.sample = attr("sample");
    out.max_rows = attr("max_rows");
    out.rows_dropped = attr("rows_dropped");
    // Within the ranges of the keys they record (the registry's).
    for (const auto& [value, name, key] : {std::tuple{out.sample, "sample", "run.episode_sample"},
                                           std::tuple{out.max_rows, "max_rows", "run.episode_max_rows"}}) {
      const ParamSpec& spec = *find_param(key);
      if (!(static_cast<double>(value) >= spec.min && static_cast<double>(value) <= spec.max))
        throw damaged(std::string(name) + " " + std::to_string(value) + "; " + key + " is " +
                      std::to_string(static_cast<std::int64_t>(spec.min)) + " to " +
                      std::to_string(static_cast<std::int64_t>(spec.max)));
    }
    if (out.rows_dropped < 0) throw damaged("rows_dropped " + std::to_string(out.rows_dropped));
    if (g.has_attr("truncated") && (g.attr_type("truncated") != h5::AttrType::boolean ||
                                    g.read_attr<bool>("truncated") != (out.rows_dropped > 0)))
      throw damaged("truncated is " + g.read_attr_text("truncated") + " with " +
                    std::to_string(out.rows_dropped) +
                    " rows dropped; cxsim writes true exactly when rows were dropped");
    // The length comes from the replication column, checked against the file's size when read.
    if (!g.has("replication"))
      throw InputError("damaged results file: no episode column 'replication'", path);
    const std::size_t rows = g.open_dataset("replication").dims().empty()
                                 ? 0
                                 : static_cast<std::size_t>(g.open_dataset("replication").dims()[0]);
    const std::int64_t int_max = std::numeric_limits<std::int32_t>::max();
    out.replication =
        episode_column<std::int32_t>(g, "replication", rows, 0, std::max<std::int64_t>(0, reps - 1), path);
    if (const std::int64_t declared = attr("rows"); declared != static_cast<std::int64_t>(rows))
      throw damaged("rows " + std::to_string(declared) + ", but columns of " + std::to_string(rows));
    const auto customer =
        episode_column<std::int32_t>(g, "customer", rows, 0, std::min(int_max, population - 1), path);
    {
      std::vector<std::int64_t> per_replication(static_cast<std::size_t>(reps), 0);
      for (std::size_t k = 0; k < rows; ++k) {
        if (customer[k] % out.sample != 0)
          throw damaged("customer " + std::to_string(customer[k]) +
                        " is recorded, but only ids that are multiples of " + "sample " +
                        std::to_string(out.sample) + " are");
        if (++per_replication[static_cast<std::size_t>(out.replication[k])] > out.max_rows)
          throw damaged("replication " + std::to_string(out.replication[k]) +
                        " has more rows than max_rows " + std::to_string(out.max_rows));
      }
    }
    // Codes index the file's segments and this build's touchpoints: readers label them by name.
    const std::int64_t segments =
        file.has("parameters") && file.open_group("parameters").has("segments")
            ? static_cast<std::int64_t>(file.open_group("parameters/segments").children().size())
            : 0;
    if (segments == 0 && rows > 0)
      throw InputError("damaged results file: episodes, but no segments under /parameters/segments", path);
    const auto segment = episode_column<std::uint8_t>(g, "segment", rows, 0, segments - 1, path);
    const std::int64_t last_day = std::min(int_max, horizon);
    const auto day_opened = episode_column<std::int32_t>(g, "day_opened", rows, 0, last_day, path);
    const auto touchpoint = episode_column<std::uint8_t>(
        g, "touchpoint", rows, 0, static_cast<std::int64_t>(std::size(kTouchpoints)) - 1, path);
    const auto severity = episode_column<std::uint8_t>(g, "severity", rows, 1, 3, path);
    const auto notified = episode_column<std::uint8_t>(g, "notified", rows, 0, 1, path);
    const auto contacts = episode_column<std::uint8_t>(g, "contacts", rows, 0, 255, path);
    const auto contacted = episode_column<std::uint8_t>(g, "contacted", rows, 0, 1, path);
    const auto channel = episode_column<std::uint8_t>(g, "channel", rows, 0, kEpisodeNoChannel, path);
    const auto outcome =
        episode_column<std::uint8_t>(g, "outcome", rows, 0, std::size(kEpisodeOutcomeNames) - 1, path);
    const auto day_closed = episode_column<std::int32_t>(g, "day_closed", rows, -1, last_day, path);
    const auto days = episode_column<std::int32_t>(g, "days_to_resolution", rows, -1, last_day, path);
    constexpr std::int64_t kAttitudeBound = 1000000;  // attitude is a few units: finite and sane
    const auto before =
        episode_column<float>(g, "attitude_before", rows, -kAttitudeBound, kAttitudeBound, path);
    const auto after =
        episode_column<float>(g, "attitude_after", rows, -kAttitudeBound, kAttitudeBound, path);
    const auto stay =
        episode_column<std::uint8_t>(g, "next_order", rows, 0, std::size(kEpisodeStayNames) - 1, path);
    const auto next_day = episode_column<std::int32_t>(g, "next_order_day", rows, -1, last_day, path);
    for (std::size_t k = 0; k < rows; ++k) {
      if (contacted[k] != (contacts[k] > 0))
        throw damaged("row " + std::to_string(k) + " says contacted " + std::to_string(contacted[k]) +
                      " with " + std::to_string(contacts[k]) + " contacts");
      if (day_closed[k] != -1 && day_closed[k] < day_opened[k])
        throw damaged("row " + std::to_string(k) + " closed on day " + std::to_string(day_closed[k]) +
                      ", before it opened on day " + std::to_string(day_opened[k]));
    }
    const auto stories = episode_column<std::int32_t>(g, "stories_told", rows, 0, 65535, path);
    const auto reached = episode_column<std::int32_t>(g, "people_reached", rows, 0, 65535, path);
    out.rows.resize(rows);
    for (std::size_t k = 0; k < rows; ++k) {
      EpisodeRow& r = out.rows[k];
      r.customer = static_cast<std::uint32_t>(customer[k]);
      r.segment = segment[k];
      r.day_opened = day_opened[k];
      r.touchpoint = touchpoint[k];
      r.severity = severity[k];
      r.notified = notified[k];
      r.contacts = contacts[k];
      r.channel = channel[k];
      r.outcome = static_cast<EpisodeOutcome>(outcome[k]);
      r.day_closed = day_closed[k];
      r.days_to_resolution = days[k];
      r.attitude_before = before[k];
      r.attitude_after = after[k];
      r.stay = static_cast<EpisodeStay>(stay[k]);
      r.next_order_day = next_day[k];
      r.stories_told = static_cast<std::uint16_t>(stories[k]);
      r.people_reached = static_cast<std::uint16_t>(reached[k]);
    }
    return out;
  });
}

const std::vector<double>* StrategyResults::series(std::string_view metric) const {
  for (std::size_t i = 0; i < metrics.size(); ++i)
    if (metrics[i].name == metric) return &values[i];
  return nullptr;
}

SeriesSet StrategyResults::to_series_set() const {
  SeriesSet set(replications, days);
  for (int m = 0; m < kMetricCount; ++m) {
    const auto* v = series(metric_defs()[m].name);
    auto out = set.values.begin() + static_cast<std::ptrdiff_t>(m) * replications * days;
    if (v)
      std::copy(v->begin(), v->end(), out);
    else
      std::fill_n(out, replications * days, std::numeric_limits<double>::quiet_NaN());
  }
  return set;
}

const std::vector<double>* SummaryColumns::column(std::string_view name) const {
  for (const auto& [n, values] : columns)
    if (n == name) return &values;
  return nullptr;
}

const StrategyResults* ResultsFile::strategy(std::string_view name) const {
  for (const auto& s : strategies)
    if (s.name == name) return &s;
  return nullptr;
}

ResultsFile read_results(const std::string& path) {
  const h5::File file = open_results(path);
  return reading(path, [&] {
    ResultsFile out;
    out.path = path;
    read_root(file, out);
    read_parameters(file, out);
    read_strategies(file, out);
    check_root(file, out);
    read_summary(file, out);
    return out;
  });
}

std::vector<std::vector<CustomerColumn>> read_customers(const std::string& path,
                                                        const std::string& strategy) {
  const h5::File file = open_results(path);
  return reading(path, [&] {
    std::vector<std::vector<CustomerColumn>> out;
    const std::string where = "strategies/" + strategy;
    if (strategy.empty() || strategy.find('/') != std::string::npos || !file.has("strategies") ||
        !file.open_group("strategies").has(strategy))
      throw InputError("no strategy '" + strategy + "' in the file", path);
    const h5::Group group = file.open_group(where);
    if (!group.has("customers")) return out;
    const h5::Group customers = group.open_group("customers");
    for (int r = 0; customers.has("rep_" + std::to_string(r)); ++r) {
      const h5::Group rep = customers.open_group("rep_" + std::to_string(r));
      auto& columns = out.emplace_back();
      for (const std::string& name : rep.children()) columns.push_back(read_column(rep, name, path));
    }
    return out;
  });
}

// --- a strategy against its record --------------------------------------------------------------

namespace {

// The keys `overrides` sets that this build knows, with `params`' values as text.
std::map<std::string, std::string> planned_values(const std::vector<ParamOverride>& overrides,
                                                  const Params& params) {
  std::map<std::string, std::string> out;
  for (const ParamOverride& o : overrides)
    if (const ParamSpec* spec = find_param(o.key)) out[o.key] = param_to_string(params, *spec);
  return out;
}

// The first key of one day that is set on one side only or holds another value. A recorded value
// (an HDF5 attribute as text) is read into `params` first, so that it compares as this build
// writes it.
std::optional<RecordedPlanDifference> values_difference(const std::map<std::string, std::string>& planned,
                                                        const std::map<std::string, std::string>& recorded,
                                                        const Params& params, const std::string& when) {
  for (const auto& [key, value] : planned)
    if (!recorded.count(key))
      return RecordedPlanDifference{key,
                                    "'" + key + "' is set to " + value + when + " here, not in the file"};
  for (const auto& [key, value] : recorded) {
    const auto it = planned.find(key);
    if (it == planned.end())
      return RecordedPlanDifference{key,
                                    "'" + key + "' is set to " + value + when + " in the file, not here"};
    std::string as_read = value;
    if (const ParamSpec* spec = find_param(key)) {
      Params read = params;
      try {
        set_param_from_string(read, *spec, value);
        as_read = param_to_string(read, *spec);
      } catch (const InputError&) {
        // Not a value of this key: it differs from the plan's, which is.
      }
    }
    if (as_read != it->second)
      return RecordedPlanDifference{
          key, "'" + key + "' is " + it->second + when + " here, " + value + " in the file"};
  }
  return std::nullopt;
}

}  // namespace

std::optional<RecordedPlanDifference> recorded_plan_difference(const RunPlan& plan,
                                                               const StrategyResults& recorded) {
  if (auto d =
          values_difference(planned_values(plan.overrides, plan.params), recorded.overrides, plan.params, ""))
    return d;
  std::vector<const InterventionRecord*> days;
  for (const InterventionRecord& r : recorded.interventions) days.push_back(&r);
  std::sort(days.begin(), days.end(), [](const auto* a, const auto* b) { return a->day < b->day; });
  const std::size_t common = std::min(days.size(), plan.changes.size());
  for (std::size_t i = 0; i < common; ++i) {
    const RunPlan::Change& change = plan.changes[i];
    if (days[i]->day != change.day)
      return RecordedPlanDifference{"interventions", "an intervention falls on day " +
                                                         std::to_string(change.day) + " here, on day " +
                                                         std::to_string(days[i]->day) + " in the file"};
    if (auto d = values_difference(planned_values(change.overrides, change.params), days[i]->values,
                                   change.params, " from day " + std::to_string(change.day)))
      return d;
  }
  if (days.size() != plan.changes.size()) {
    const bool here = plan.changes.size() > days.size();
    const std::int64_t day = here ? plan.changes[common].day : days[common]->day;
    return RecordedPlanDifference{"interventions",
                                  "an intervention on day " + std::to_string(day) + " is " +
                                      (here ? "here, not in the file" : "in the file, not here")};
  }
  return std::nullopt;
}

// --- cxsim info ---------------------------------------------------------------------------------

std::string describe_results_raw(const ResultsFile& f);

std::string describe_results(const ResultsFile& f) {
  return terminal_text(describe_results_raw(f));
}

void require_segments(const ResultsFile& f) {
  for (const auto& s : f.strategies)
    if (s.segment_series.empty())
      throw InputError("strategy '" + s.name +
                           "' has no series by segment: re-run with [output] by_segment = true (or --set "
                           "output.by_segment=true)",
                       f.path, 0, 0, "output.by_segment");
}

std::string describe_segments(const ResultsFile& f) {
  require_segments(f);
  std::string out = "cxsim results file " + f.path + "\n";
  for (const auto& s : f.strategies) {
    std::vector<RunSeries> runs;
    for (std::size_t k = 0; k < s.segment_series.size(); ++k)
      runs.push_back({s.segment_names[k], "", {}, &s.segment_series[k]});
    out +=
        "\nkey figures by segment, strategy " + s.name + " (docs/key-figures.md)\n" + key_figure_table(runs);
  }
  out += "(contact-centre queue figures, service cost, profit and CLV have no segment: n/a)\n";
  return terminal_text(out);
}

std::string describe_results_raw(const ResultsFile& f) {
  std::string out = "cxsim results file " + f.path + "\n";
  const auto line = [&](const char* label, const std::string& value) {
    out += format("  %-14s %s\n", label, value.c_str());
  };
  line("written by", "cxsim " + f.cxsim_version + " (git " + f.git_sha + "), format version " +
                         std::to_string(f.format_version));
  line("created", f.created_utc);
  line("command line", f.command_line);
  line("scenario", (f.scenario_path.empty() ? std::string("(no file)") : f.scenario_path) + " (sha256 " +
                       f.scenario_sha256.substr(0, 16) + ")");
  line("seed", std::to_string(f.seed));
  line("replications", std::to_string(f.replications));
  line("days", std::to_string(f.horizon_days));
  line("population", std::to_string(f.population));
  line("threads", std::to_string(f.threads));
  const double rate = f.seconds_simulating > 0 ? f.customer_days / f.seconds_simulating : 0;
  line("timings",
       format("%.2f s total, %.2f s simulating, %lld customer-days (%.3g per second)", f.seconds_total,
              f.seconds_simulating, static_cast<long long>(f.customer_days), rate));
  std::string names;
  for (const auto& s : f.strategies) names += (names.empty() ? "" : ", ") + s.name;
  line("strategies", names);

  if (f.strategies.empty()) return out;
  const StrategyResults& first = f.strategies.front();
  out += format("metrics (%zu, each float64 [replication, day] per strategy)\n", first.metrics.size());
  for (const auto& m : first.metrics)
    out += format("  %-24s %-16s %-6s %s\n", m.name.c_str(), m.unit.c_str(), m.kind.c_str(),
                  m.description.c_str());

  std::vector<SeriesSet> sets;
  std::vector<RunSeries> runs;
  sets.reserve(f.strategies.size());
  for (const auto& s : f.strategies) sets.push_back(s.to_series_set());
  for (std::size_t i = 0; i < f.strategies.size(); ++i)
    runs.push_back({f.strategies[i].name, f.strategies[i].description, {}, &sets[i]});
  out += "key figures at the end of the run (docs/key-figures.md)\n" + key_figure_table(runs);
  return out;
}

}  // namespace cxsim
