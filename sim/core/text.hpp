#pragma once
// "Did you mean" support shared by the parameter registry and the readers.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace cxsim {

/// "Did you mean" is only tried for words up to this many bytes (the edit distance is quadratic).
inline constexpr std::size_t kMaxSuggestKey = 64;

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Whether a name `distance` edits away from `word` (what the user wrote) is close enough to be
/// what was meant: at most max(2, a third of the word's length) edits. Farther names are not
/// suggested ("no.such_key" is not a typo of "phone.roster").
inline bool close_enough(std::size_t distance, std::string_view word) {
  return distance <= std::max<std::size_t>(2, word.size() / 3);
}

}  // namespace cxsim
