// Small statistics shared with the C++ summaries, so that Python intervals match the CLI's.

#include <pybind11/stl.h>

#include <vector>

#include "bind.hpp"
#include "kpi/stats.hpp"

namespace cxsim::py_bind {

void register_stats(py::module_& m) {
  m.def("t_quantile", &t_quantile, py::arg("level"), py::arg("df"),
        "The (1 + level)/2 quantile of Student's t with df degrees of freedom");
  m.def(
      "confidence_interval",
      [](const std::vector<double>& values, double level) {
        const Interval ci = confidence_interval(values, level);
        return py::make_tuple(ci.mean, ci.half_width, ci.n);
      },
      py::arg("values"), py::arg("level") = 0.95,
      "(mean, half_width, n) of the two-sided Student t interval; NaN values are skipped");
}

}  // namespace cxsim::py_bind
