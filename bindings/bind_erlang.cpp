// The analytic queueing formulas (core/erlang.hpp) for cxsim.erlang.

#include <cstdio>

#include "bind.hpp"
#include "service/erlang.hpp"

namespace cxsim::py_bind {

namespace {

std::string fmt(const char* name, std::initializer_list<std::pair<const char*, double>> fields) {
  std::string out = std::string(name) + "(";
  bool first = true;
  for (const auto& [key, value] : fields) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%s=%.6g", first ? "" : ", ", key, value);
    out += buf;
    first = false;
  }
  return out + ")";
}

}  // namespace

void register_erlang(py::module_& m) {
  py::class_<ErlangC>(m, "ErlangC", "Erlang C (M/M/n) figures of one channel")
      .def_readonly("p_wait", &ErlangC::p_wait, "Probability an arrival waits (all agents busy)")
      .def_readonly("service_level", &ErlangC::service_level, "P(wait <= target)")
      .def_readonly("asa_s", &ErlangC::asa_s, "Average speed of answer: mean wait over all arrivals, s")
      .def_readonly("mean_queue", &ErlangC::mean_queue, "Mean number waiting")
      .def_readonly("occupancy", &ErlangC::occupancy, "Load / agents; 1 when unstable (agents <= load)")
      .def("__repr__", [](const ErlangC& e) {
        return fmt("ErlangC", {{"p_wait", e.p_wait},
                               {"service_level", e.service_level},
                               {"asa_s", e.asa_s},
                               {"mean_queue", e.mean_queue},
                               {"occupancy", e.occupancy}});
      });
  py::class_<ErlangA>(m, "ErlangA", "Erlang A (M/M/n+M) figures of one channel")
      .def_readonly("p_wait", &ErlangA::p_wait, "Probability an arrival finds all agents busy")
      .def_readonly("p_abandon", &ErlangA::p_abandon, "Probability an arrival abandons")
      .def_readonly("mean_wait_s", &ErlangA::mean_wait_s, "Mean time in queue over all arrivals, s")
      .def_readonly("service_level", &ErlangA::service_level, "P(answered within target) over all arrivals")
      .def_readonly("mean_queue", &ErlangA::mean_queue, "Mean number waiting")
      .def_readonly("occupancy", &ErlangA::occupancy, "Served load / agents")
      .def("__repr__", [](const ErlangA& e) {
        return fmt("ErlangA", {{"p_wait", e.p_wait},
                               {"p_abandon", e.p_abandon},
                               {"mean_wait_s", e.mean_wait_s},
                               {"service_level", e.service_level},
                               {"mean_queue", e.mean_queue},
                               {"occupancy", e.occupancy}});
      });
  m.def("erlang_b", &erlang_b, py::arg("load"), py::arg("agents"));
  m.def("erlang_c", &erlang_c, py::arg("load"), py::arg("agents"), py::arg("handle_s"), py::arg("target_s"));
  m.def("erlang_a", &erlang_a, py::arg("load"), py::arg("agents"), py::arg("handle_s"), py::arg("patience_s"),
        py::arg("target_s"));
  m.def("erlang_c_staffing", &erlang_c_staffing, py::arg("load"), py::arg("handle_s"), py::arg("target_s"),
        py::arg("service_level"));
  m.def("erlang_a_staffing", &erlang_a_staffing, py::arg("load"), py::arg("handle_s"), py::arg("patience_s"),
        py::arg("target_s"), py::arg("service_level"));
}

}  // namespace cxsim::py_bind
