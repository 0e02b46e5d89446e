// The parameter and metric registries (core/params.hpp, core/results.hpp) as plain Python data,
// and the opaque Params value that run() and write_results() pass around.

#include <pybind11/stl.h>

#include <limits>
#include <string>

#include "bind.hpp"
#include "core/results.hpp"

namespace cxsim::py_bind {

namespace {

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::real:
      return "float";
    case ParamType::integer:
      return "int";
    case ParamType::boolean:
      return "bool";
    case ParamType::choice:
      return "choice";
    case ParamType::text:
      return "str";
    default:
      return "list";
  }
}

const char* kind_name(MetricKind k) {
  switch (k) {
    case MetricKind::stock:
      return "stock";
    case MetricKind::flow:
      return "flow";
    case MetricKind::ratio:
      return "ratio";
  }
  return "?";
}

py::list parameter_specs() {
  const Params defaults;
  py::list out;
  for (const ParamSpec& spec : param_specs()) {
    py::dict d;
    d["key"] = std::string(spec.key);
    d["type"] = type_name(spec.type);
    d["default"] = param_value(defaults, spec);
    const bool numeric =
        spec.type != ParamType::boolean && spec.type != ParamType::choice && spec.type != ParamType::text;
    d["min"] = numeric ? py::object(py::float_(spec.min)) : py::none();
    d["max"] = numeric ? py::object(py::float_(spec.max)) : py::none();
    d["unit"] = std::string(spec.unit);
    d["intervenable"] = spec.intervenable;
    d["description"] = std::string(spec.description);
    d["source"] = std::string(spec.source);
    d["allowed"] = allowed_text(spec);
    out.append(d);
  }
  return out;
}

py::list segment_specs() {
  const Segment defaults;
  py::list out;
  for (const SegmentParamSpec& spec : segment_param_specs()) {
    py::dict d;
    d["key"] = std::string(spec.name);
    d["default"] = defaults.*spec.member;
    d["min"] = spec.min;
    d["max"] = spec.max;
    d["unit"] = std::string(spec.unit);
    d["description"] = std::string(spec.description);
    out.append(d);
  }
  return out;
}

py::list metric_specs() {
  py::list out;
  for (const MetricDef& def : metric_defs()) {
    py::dict d;
    d["name"] = std::string(def.name);
    d["unit"] = std::string(def.unit);
    d["kind"] = kind_name(def.kind);
    d["description"] = std::string(def.description);
    out.append(d);
  }
  return out;
}

}  // namespace

py::object param_value(const Params& params, const ParamSpec& spec) {
  return std::visit(
      [&](auto member) -> py::object {
        const auto& value = params.*member;
        using V = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<V, bool>)
          return py::bool_(value);
        else if constexpr (std::is_same_v<V, std::string>)
          return py::str(value);
        else if constexpr (std::is_integral_v<V>)
          return py::int_(value);
        else if constexpr (std::is_floating_point_v<V>)
          return py::float_(value);
        else
          return py::list(py::cast(value));  // list parameters (e.g. an hourly roster)
      },
      spec.member);
}

py::dict params_dict(const Params& params) {
  py::dict out;
  for (const ParamSpec& spec : param_specs()) out[py::str(std::string(spec.key))] = param_value(params, spec);
  return out;
}

py::list segments_list(const Params& params) {
  py::list out;
  for (const Segment& segment : params.segments) {
    py::dict d;
    d["name"] = segment.name;
    for (const SegmentParamSpec& spec : segment_param_specs())
      d[py::str(std::string(spec.name))] = segment.*spec.member;
    out.append(d);
  }
  return out;
}

void register_params(py::module_& m) {
  py::class_<Params>(m, "Params", "Resolved scenario parameters (an opaque value; see Scenario.params)")
      .def("to_dict", &params_dict, "Every parameter as {'section.name': value}")
      .def("segments", &segments_list, "The customer segments as a list of dicts");
  m.def("parameter_specs", &parameter_specs,
        "The parameter registry: one dict per parameter (key, type, default, min, max, unit, "
        "intervenable, description, source, allowed)");
  m.def("segment_specs", &segment_specs, "The keys of a [[segment]] table, as parameter_specs()");
  m.def("metric_specs", &metric_specs, "The metric registry: name, unit, kind, description");
}

}  // namespace cxsim::py_bind
