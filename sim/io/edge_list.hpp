#pragma once
// Social networks from a file: the I/O side of network.kind = "edge_list" (the core reads no files).

#include <cstdint>
#include <string>

#include "model/network.hpp"

namespace cxsim {

/// Reads an undirected network of n members from a text file with one tie per line: two 0-based
/// member ids separated by whitespace and/or one comma ("3 17", "3,17", "3, 17"). Blank lines and
/// '#' comments (whole-line or trailing) are skipped; duplicate ties and self-loops are dropped.
/// With a block [first, first + count): the rows of its members only (a rank of a partitioned
/// run), keeping only the ties with an end in the block while reading; every line is still checked.
/// @throws InputError (key "network.edge_list", with file, line and column) when the file cannot
///         be read, a line is not two ids, or an id is >= n
Network read_edge_list(const std::string& path, std::uint32_t n, std::uint32_t first = 0,
                       std::uint32_t count = UINT32_MAX);

}  // namespace cxsim
