// libFuzzer harness: the --set parser. The input is split at newlines into assignments, applied
// to a small scenario with two segments; only InputError may come out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "io/scenario_reader.hpp"

namespace {
constexpr const char* kBase = R"([market]
population = 1000
[[segment]]
name = "a"
share = 0.5
[[segment]]
name = "b"
share = 0.5
)";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cxsim::Scenario base = cxsim::parse_scenario(kBase, "base.toml");
  std::vector<std::string> sets;
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      sets.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  sets.push_back(current);
  cxsim::Scenario s = base;
  try {
    cxsim::apply_overrides(s, sets);
  } catch (const cxsim::InputError&) {
  }
  return 0;
}
