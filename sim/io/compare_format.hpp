#pragma once
// Comparisons as text: an aligned table, Markdown, CSV or JSON (the I/O layer's text formats of
// kpi/compare.hpp's Comparison).

#include <string>

#include "kpi/compare.hpp"

namespace cxsim {

enum class CompareFormat { table, markdown, csv, json };

/// @throws InputError naming the formats when `name` is none of table, markdown, csv, json
CompareFormat compare_format(const std::string& name);

/// The comparison as text: an aligned table, Markdown, CSV (one row per strategy and figure) or
/// JSON. Table and Markdown show shares as percentages and their differences in points.
std::string format_comparison(const Comparison& comparison, CompareFormat format);

}  // namespace cxsim
