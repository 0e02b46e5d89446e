// libFuzzer harness: any bytes as a scenario file. Bad input must end in InputError (exit 2 in
// the CLI); anything else (a crash, a sanitizer report, another exception, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/errors.hpp"
#include "experiment/experiment.hpp"
#include "io/experiment_reader.hpp"
#include "io/scenario_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const cxsim::Scenario s =
        cxsim::parse_scenario(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
    (void)cxsim::plan_experiment(cxsim::read_experiment(s));  // every check a run makes first
  } catch (const cxsim::InputError&) {
  }
  return 0;
}
