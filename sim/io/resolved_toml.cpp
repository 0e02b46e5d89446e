// Every parameter with its value as TOML (resolved_toml, io/scenario_reader.hpp): what `cxsim
// validate` prints and parse_scenario() reads back to identical Params.

#include <type_traits>
#include <variant>

#include "io/reader_support.hpp"
#include "io/scenario_reader.hpp"

namespace cxsim {

using namespace detail;

std::string resolved_toml(const Params& p) {
  std::string out = "# Resolved parameters: every key with the value used.\n";
  for (const auto& section : sections()) {
    out += "\n[" + section + "]\n";
    for (const auto& spec : param_specs()) {
      if (spec.key.substr(0, spec.key.find('.')) != section) continue;
      out += std::string(spec.key.substr(section.size() + 1)) + " = ";
      std::visit(
          [&](auto member) {
            const auto& value = p.*member;
            using V = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<V, bool>)
              out += value ? "true" : "false";
            else if constexpr (std::is_same_v<V, std::string>)
              out += toml_string(value);
            else if constexpr (std::is_same_v<V, std::int64_t>)
              out += std::to_string(value);
            else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>)
              out += param_to_string(p, spec);
            else
              out += real_literal(value);
          },
          spec.member);
      out += '\n';
    }
  }
  for (const auto& seg : p.segments) {
    out += "\n[[segment]]\nname = " + toml_string(seg.name) + "\n";
    for (const auto& spec : segment_param_specs())
      out += std::string(spec.name) + " = " + real_literal(seg.*spec.member) + "\n";
  }
  return out;
}

}  // namespace cxsim
