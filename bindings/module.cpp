// cxsim._core: the compiled half of the `cxsim` Python package. The package (bindings/python/cxsim)
// wraps it in documented, typed Python; users import `cxsim`, not this module.

#include "bind.hpp"
#include "cxsim/version.hpp"

PYBIND11_MODULE(_core, m) {
  namespace b = cxsim::py_bind;
  m.doc() = "Compiled core of cxsim (private; use the cxsim package)";
  m.attr("__version__") = cxsim::kVersion;
  m.attr("git_sha") = cxsim::kGitSha;
  b::register_errors(m);
  b::register_params(m);
  b::register_scenario(m);
  b::register_run(m);
  b::register_results(m);
  b::register_stats(m);
  b::register_erlang(m);
  b::register_compare(m);
  b::register_studies(m);
  b::register_facts(m);
}
