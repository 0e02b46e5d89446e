#include "model/partition.hpp"

#include <algorithm>
#include <stdexcept>

namespace cxsim {

Blocks Blocks::even(std::uint32_t population, std::uint32_t chunk, int ranks) {
  if (ranks < 1 || chunk == 0) throw std::invalid_argument("Blocks::even: needs ranks >= 1 and chunk >= 1");
  Blocks b;
  b.population = population;
  b.chunk = chunk;
  const std::uint64_t chunks = (std::uint64_t{population} + chunk - 1) / chunk;
  for (int r = 0; r <= ranks; ++r)
    b.chunk_start.push_back(static_cast<std::uint32_t>(chunks * static_cast<std::uint64_t>(r) / ranks));
  return b;
}

std::uint32_t Blocks::first(int rank) const {
  const std::uint64_t at = std::uint64_t{chunk_start[static_cast<std::size_t>(rank)]} * chunk;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(at, population));
}

std::uint32_t Blocks::count(int rank) const {
  return first(rank + 1) - first(rank);
}

int Blocks::owner(std::uint32_t i) const {
  const auto c = i / chunk;
  return static_cast<int>(std::upper_bound(chunk_start.begin(), chunk_start.end(), c) - chunk_start.begin()) -
         1;
}

}  // namespace cxsim
