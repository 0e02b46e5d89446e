// libFuzzer harness: any bytes as a results file, through every reader entry point: read_results,
// describe_results (cxsim info) and read_customers. Only InputError may come out.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/errors.hpp"
#include "io/results_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/cxsim-fuzz-results-" + std::to_string(::getpid()) +
           ".h5";
  }();
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  try {
    const cxsim::ResultsFile file = cxsim::read_results(path);
    (void)cxsim::describe_results(file);
    for (const auto& s : file.strategies) {
      (void)s.to_series_set();
      (void)cxsim::read_customers(path, s.name);
    }
  } catch (const cxsim::InputError&) {
  }
  std::remove(path.c_str());
  return 0;
}
