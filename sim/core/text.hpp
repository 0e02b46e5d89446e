#pragma once
// "Did you mean" support shared by the parameter registry and the readers.

#include <cstddef>
#include <string_view>

namespace cxsim {

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace cxsim
