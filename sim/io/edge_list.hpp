#pragma once
// Social networks from a file: the I/O side of network.kind = "edge_list" (the core reads no files).

#include <cstdint>
#include <string>

#include "model/network.hpp"

namespace cxsim {

/// Reads an undirected network of n members from a text file with one tie per line: two 0-based
/// member ids separated by whitespace and/or one comma ("3 17", "3,17", "3, 17"). Blank lines and
/// '#' comments (whole-line or trailing) are skipped; duplicate ties and self-loops are dropped.
/// @throws InputError (key "network.edge_list", with file, line and column) when the file cannot
///         be read, a line is not two ids, or an id is >= n
Network read_edge_list(const std::string& path, std::uint32_t n);

}  // namespace cxsim
