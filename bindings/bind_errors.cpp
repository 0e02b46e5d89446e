// Central exception translation: every C++ error type maps to one Python exception here, and
// nowhere else.
//   InputError        -> cxsim.ScenarioError (ValueError) with file, line, column, key, message
//   ResultsFileError  -> cxsim.ResultsError  (ValueError) likewise (a results file we cannot read
//                        or a results path we refuse to write; docs/reliability.md)
//   Cancelled         -> KeyboardInterrupt
//   h5::Error         -> OSError (HDF5 failed while writing: disk full, ...)

#include "bind.hpp"
#include "io/h5.hpp"

namespace cxsim::py_bind {

namespace {

// Heap-allocated and never freed: translators may run during interpreter shutdown.
py::object* g_input_error = nullptr;
py::object* g_scenario_error = nullptr;
py::object* g_results_error = nullptr;

py::object none_if(bool empty, py::object value) {
  return empty ? py::none() : std::move(value);
}

void raise(const py::object& type, const InputError& e) {
  py::object error = type(e.what());
  error.attr("message") = e.message();
  error.attr("file") = none_if(e.file().empty(), py::str(e.file()));
  error.attr("line") = none_if(e.line() <= 0, py::int_(e.line()));
  error.attr("column") = none_if(e.column() <= 0, py::int_(e.column()));
  error.attr("key") = none_if(e.key().empty(), py::str(e.key()));
  PyErr_SetObject(type.ptr(), error.ptr());
}

py::object make_type(py::module_& m, const char* name, PyObject* base, const char* doc) {
  py::object type = py::reinterpret_steal<py::object>(
      PyErr_NewExceptionWithDoc((std::string("cxsim.") + name).c_str(), doc, base, nullptr));
  if (!type) throw py::error_already_set();
  m.attr(name) = type;
  return type;
}

}  // namespace

void register_errors(py::module_& m) {
  g_input_error = new py::object(
      make_type(m, "InputError", PyExc_ValueError,
                "Bad input to cxsim. Attributes: message (what is wrong and what is allowed), file, line, "
                "column (1-based) and key (the scenario key) where known, else None."));
  g_scenario_error = new py::object(
      make_type(m, "ScenarioError", g_input_error->ptr(),
                "A scenario (file, text or override) that cxsim cannot run: a TOML syntax error, an unknown "
                "key (the message names the closest known ones), a wrong type or a value out of range. "
                "Attributes: message, file, line, column, key (None where unknown)."));
  g_results_error = new py::object(
      make_type(m, "ResultsError", g_input_error->ptr(),
                "A results file that cannot be read: missing, not a regular file, not HDF5, not a cxsim "
                "results file, of a newer format version, truncated or damaged, or holding what cxsim never "
                "writes (external storage, virtual datasets, soft or external links, shapes larger than the "
                "file or memory allows); or a results path that cannot be written (a device, FIFO, symlink, "
                "directory or a file that is not a results file). See docs/reliability.md. Attributes: "
                "message, file (the path), line, column, key (None)."));

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ResultsFileError& e) {
      raise(*g_results_error, e);
    } catch (const InputError& e) {
      raise(*g_scenario_error, e);
    } catch (const Cancelled& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    } catch (const h5::Error& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });
}

}  // namespace cxsim::py_bind
