// The episode record and the published facts: Results.episodes() and Results.facts() (for files
// and for runs held in memory), computed by the same C++ as `cxsim facts`.

#include <pybind11/stl.h>

#include <cmath>

#include "bind.hpp"
#include "io/facts_format.hpp"
#include "io/results_reader.hpp"
#include "kpi/facts.hpp"
#include "model/touchpoint_table.hpp"

namespace cxsim::py_bind {

namespace {

py::list names(auto&& range) {
  py::list out;
  for (const auto& n : range) out.append(py::str(std::string(n)));
  return out;
}

}  // namespace

py::object episodes_dict(const std::vector<std::int32_t>& replication, const std::vector<EpisodeRow>& rows,
                         int replications, std::int64_t sample, std::int64_t max_rows, std::int64_t dropped,
                         const std::vector<std::string>& segments) {
  const std::size_t n = rows.size();
  const auto column = [&](auto field) {
    using T = decltype(field(EpisodeRow{}));
    std::vector<T> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = field(rows[k]);
    return to_array(std::move(v));
  };
  py::dict columns;
  columns["replication"] = to_array(std::vector<std::int32_t>(replication));
  columns["customer"] = column([](const EpisodeRow& e) { return static_cast<std::int32_t>(e.customer); });
  columns["segment"] = column([](const EpisodeRow& e) { return e.segment; });
  columns["day_opened"] = column([](const EpisodeRow& e) { return e.day_opened; });
  columns["touchpoint"] = column([](const EpisodeRow& e) { return e.touchpoint; });
  columns["severity"] = column([](const EpisodeRow& e) { return e.severity; });
  columns["notified"] = column([](const EpisodeRow& e) { return e.notified; });
  columns["contacted"] =
      column([](const EpisodeRow& e) { return static_cast<std::uint8_t>(e.contacts > 0); });
  columns["contacts"] = column([](const EpisodeRow& e) { return e.contacts; });
  columns["channel"] = column([](const EpisodeRow& e) { return e.channel; });
  columns["outcome"] = column([](const EpisodeRow& e) { return static_cast<std::uint8_t>(e.outcome); });
  columns["day_closed"] = column([](const EpisodeRow& e) { return e.day_closed; });
  columns["days_to_resolution"] = column([](const EpisodeRow& e) { return e.days_to_resolution; });
  columns["attitude_before"] = column([](const EpisodeRow& e) { return e.attitude_before; });
  columns["attitude_after"] = column([](const EpisodeRow& e) { return e.attitude_after; });
  columns["next_order"] = column([](const EpisodeRow& e) { return static_cast<std::uint8_t>(e.stay); });
  columns["next_order_day"] = column([](const EpisodeRow& e) { return e.next_order_day; });
  columns["stories_told"] =
      column([](const EpisodeRow& e) { return static_cast<std::int32_t>(e.stories_told); });
  columns["people_reached"] =
      column([](const EpisodeRow& e) { return static_cast<std::int32_t>(e.people_reached); });
  py::dict categories;
  categories["segment"] = names(segments);
  std::vector<std::string_view> touchpoints;
  for (const TouchpointType& t : kTouchpoints) touchpoints.push_back(t.name);
  categories["touchpoint"] = names(touchpoints);
  categories["severity"] = names(std::vector<std::string>{"none", "mild", "moderate", "severe"});
  categories["channel"] = names(kEpisodeChannelNames);
  categories["outcome"] = names(kEpisodeOutcomeNames);
  categories["next_order"] = names(kEpisodeStayNames);
  py::dict out;
  out["columns"] = columns;
  out["categories"] = categories;
  out["replications"] = replications;
  out["sample"] = sample;
  out["max_rows"] = max_rows;
  out["rows_dropped"] = dropped;
  return out;
}

py::list facts_list(const FactsInput& input) {
  std::vector<FactRow> facts;
  {
    py::gil_scoped_release nogil;
    facts = measure_facts(input);
  }
  py::list out;
  for (const FactRow& f : facts) {
    py::dict d;
    d["id"] = f.id;
    d["fact"] = f.fact;
    d["unit"] = f.unit;
    d["value"] = f.value;
    d["ci_low"] = f.ci_low;
    d["ci_high"] = f.ci_high;
    d["replications"] = f.replications;
    d["band_low"] = f.band_low;
    d["band_high"] = f.band_high;
    d["band"] = f.band;
    d["status"] = f.status;
    d["source"] = f.source;
    d["note"] = f.note;
    out.append(d);
  }
  return out;
}

void register_facts(py::module_& m) {
  m.def(
      "read_episodes",
      [](const std::string& path, const std::string& strategy) -> py::object {
        std::optional<EpisodeData> data;
        ResultsFile file;
        {
          py::gil_scoped_release nogil;
          data = results_file([&] { return read_episodes(path, strategy); });
          if (data) file = results_file([&] { return read_results(path); });
        }
        if (!data) return py::none();
        std::vector<std::string> segments;
        for (const auto& s : file.segments)
          segments.push_back(s.count("name") ? s.at("name") : std::string());
        return episodes_dict(data->replication, data->rows, data->replications, data->sample, data->max_rows,
                             data->rows_dropped, segments);
      },
      py::arg("path"), py::arg("strategy") = "baseline",
      "The episode table of one strategy as {columns, categories, replications, sample, max_rows, "
      "rows_dropped}; None when the run did not record episodes");
  m.def(
      "facts",
      [](const std::string& path, const std::string& strategy) {
        FactsInput input;
        {
          py::gil_scoped_release nogil;
          input = results_file([&] { return read_facts_input(path, strategy); });
        }
        py::dict out;
        out["facts"] = facts_list(input);
        out["has_episodes"] = input.has_episodes;
        return out;
      },
      py::arg("path"), py::arg("strategy") = "baseline",
      "The published regularities measured from one strategy of a results file (as `cxsim facts`)");
}

}  // namespace cxsim::py_bind
