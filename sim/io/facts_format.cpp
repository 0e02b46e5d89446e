#include "io/facts_format.hpp"

#include <charconv>
#include <cmath>

#include "core/errors.hpp"
#include "io/results_reader.hpp"
#include "io/text_format.hpp"

namespace cxsim {

namespace {

void set_from_file(Params& p, const std::string& key, const std::string& value, const std::string& path) {
  const ParamSpec* spec = find_param(key);
  if (!spec) return;  // a key of another version: not needed here
  try {
    set_param_from_string(p, *spec, value);
  } catch (const InputError& e) {
    throw InputError("damaged results file: parameter " + key + " = '" + value + "': " + e.message(), path);
  }
}

std::string shown(double v, const std::string& unit) {
  if (!std::isfinite(v)) return "-";
  if (unit == "share" || unit == "share/month") return format("%.1f%%", 100 * v);
  if (unit == "change") return format("%+.1f%%", 100 * v);
  return format("%.2f", v);
}

std::string interval(const FactRow& f) {
  if (!std::isfinite(f.ci_low) || !std::isfinite(f.ci_high)) return "-";
  return shown(f.ci_low, f.unit) + " to " + shown(f.ci_high, f.unit);
}

}  // namespace

FactsInput read_facts_input(const std::string& path, const std::string& strategy) {
  const ResultsFile file = read_results(path);
  const StrategyResults* s = file.strategy(strategy);
  if (!s) {
    std::string names;
    for (const auto& t : file.strategies) names += (names.empty() ? "'" : ", '") + t.name + "'";
    throw InputError("no strategy '" + strategy + "' in the file; it has " + names, path);
  }
  FactsInput in;
  for (const auto& [key, value] : file.parameters) set_from_file(in.params, key, value, path);
  if (!file.segments.empty()) {
    in.params.segments.clear();
    for (const auto& seg : file.segments) {
      Segment g;
      for (const auto& [key, value] : seg) {
        if (key == "name") {
          g.name = value;
          continue;
        }
        for (const SegmentParamSpec& spec : segment_param_specs()) {
          if (spec.name != key) continue;
          double v = 0;
          const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
          if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(v))
            throw InputError("damaged results file: segment key " + key + " = '" + value + "'", path);
          g.*spec.member = v;
        }
      }
      in.params.segments.push_back(std::move(g));
    }
  }
  for (const auto& [key, value] : s->overrides) set_from_file(in.params, key, value, path);
  in.series = s->to_series_set();
  if (auto episodes = read_episodes(path, strategy)) {
    in.has_episodes = true;
    in.episode_replications = episodes->replications;
    in.episode_replication = std::move(episodes->replication);
    in.episodes = std::move(episodes->rows);
  }
  return in;
}

std::string format_facts(const std::vector<FactRow>& facts, CompareFormat fmt, const std::string& title) {
  std::string out;
  switch (fmt) {
    case CompareFormat::table: {
      out = title + "\n";
      out += format("%-84s %10s %-22s %-40s %-26s %s\n", "fact", "measured", "95% interval", "band", "status",
                    "source");
      for (const FactRow& f : facts)
        out += format("%-84s %10s %-22s %-40s %-26s %s\n", f.fact.c_str(), shown(f.value, f.unit).c_str(),
                      interval(f).c_str(), f.band.c_str(), f.status.c_str(), f.source.c_str());
      out += "Notes:\n";
      for (const FactRow& f : facts) out += "  " + f.id + ": " + f.note + "\n";
      return out;
    }
    case CompareFormat::markdown: {
      out = "## " + md_escape(title) +
            "\n\n| fact | measured | 95% interval | band | status | source |\n"
            "|---|--:|---|---|---|---|\n";
      for (const FactRow& f : facts)
        out += "| " + md_escape(f.fact) + " | " + shown(f.value, f.unit) + " | " + interval(f) + " | " +
               md_escape(f.band) + " | " + f.status + " | " + md_escape(f.source) + " |\n";
      return out;
    }
    case CompareFormat::csv: {
      out = "id,fact,unit,value,ci_low,ci_high,replications,band_low,band_high,band,status,source,note\n";
      for (const FactRow& f : facts)
        out += f.id + "," + csv_field(f.fact) + "," + csv_field(f.unit) + "," + exact(f.value, "") + "," +
               exact(f.ci_low, "") + "," + exact(f.ci_high, "") + "," + std::to_string(f.replications) + "," +
               exact(f.band_low, "") + "," + exact(f.band_high, "") + "," + csv_field(f.band) + "," +
               csv_field(f.status) + "," + csv_field(f.source) + "," + csv_field(f.note) + "\n";
      return out;
    }
    case CompareFormat::json: {
      out = "{\n  \"title\": " + json_string(title) + ",\n  \"facts\": [";
      for (std::size_t i = 0; i < facts.size(); ++i) {
        const FactRow& f = facts[i];
        out += std::string(i ? "," : "") + "\n    {\"id\": " + json_string(f.id) +
               ", \"fact\": " + json_string(f.fact) + ", \"unit\": " + json_string(f.unit) +
               ", \"value\": " + exact(f.value, "null") + ", \"ci_low\": " + exact(f.ci_low, "null") +
               ", \"ci_high\": " + exact(f.ci_high, "null") +
               ", \"replications\": " + std::to_string(f.replications) +
               ", \"band_low\": " + exact(f.band_low, "null") +
               ", \"band_high\": " + exact(f.band_high, "null") + ", \"band\": " + json_string(f.band) +
               ", \"status\": " + json_string(f.status) + ", \"source\": " + json_string(f.source) +
               ", \"note\": " + json_string(f.note) + "}";
      }
      out += "\n  ]\n}\n";
      return out;
    }
  }
  return out;
}

}  // namespace cxsim
