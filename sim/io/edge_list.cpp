#include "io/edge_list.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace cxsim {

namespace {

constexpr const char* kKey = "network.edge_list";
constexpr std::string_view kExpected =
    "expected two member ids (0-based integers) separated by whitespace or a comma";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// One line of the file, split into at most three tokens (a third one is an error).
class LineParser {
 public:
  LineParser(const std::string& path, int line_no, std::string_view line)
      : path_(path), line_no_(line_no), line_(line.substr(0, line.find('#'))) {}

  /// False for a blank or comment-only line.
  bool parse(std::uint32_t n, std::pair<std::uint32_t, std::uint32_t>& tie) {
    skip_space();
    if (pos_ == line_.size()) return false;
    const std::size_t first_col = pos_;
    tie.first = id(n);
    skip_space();
    if (pos_ < line_.size() && line_[pos_] == ',') {
      ++pos_;
      skip_space();
    }
    if (pos_ == line_.size())
      fail(std::string(kExpected) + ", found only one: \"" + std::string(trimmed()) + "\"", first_col);
    tie.second = id(n);
    skip_space();
    if (pos_ < line_.size())
      fail(std::string(kExpected) + ", found more after the second id: \"" + std::string(trimmed()) + "\"",
           pos_);
    return true;
  }

 private:
  void skip_space() {
    while (pos_ < line_.size() && is_space(line_[pos_])) ++pos_;
  }

  std::string_view trimmed() const {
    std::size_t a = 0, b = line_.size();
    while (a < b && is_space(line_[a])) ++a;
    while (b > a && is_space(line_[b - 1])) --b;
    return line_.substr(a, b - a);
  }

  std::uint32_t id(std::uint32_t n) {
    const std::size_t start = pos_;
    std::size_t end = start;
    while (end < line_.size() && !is_space(line_[end]) && line_[end] != ',') ++end;
    const std::string_view token = line_.substr(start, end - start);
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (token.empty() || ec == std::errc::invalid_argument || ptr != token.data() + token.size())
      fail(std::string(kExpected) + ", found \"" + std::string(token.empty() ? trimmed() : token) + "\"",
           start);
    if (ec == std::errc::result_out_of_range || value >= n)
      fail("member id " + std::string(token) + " is out of range: " +
               (n == 0 ? std::string("the population is empty")
                       : "the population has " + std::to_string(n) + " members (ids 0.." +
                             std::to_string(n - 1) + ")"),
           start);
    pos_ = end;
    return static_cast<std::uint32_t>(value);
  }

  [[noreturn]] void fail(const std::string& message, std::size_t at) const {
    throw InputError(message, path_, line_no_, static_cast<int>(at) + 1, kKey);
  }

  const std::string& path_;
  int line_no_;
  std::string_view line_;
  std::size_t pos_ = 0;
};

}  // namespace

Network read_edge_list(const std::string& path, std::uint32_t n, std::uint32_t first, std::uint32_t count) {
  std::error_code ec;
  // Refused before opening: a FIFO would block, a device never end.
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw InputError("cannot read the edge list: not a regular file (a directory, FIFO, socket or device)",
                     path, 0, 0, kKey);
  std::ifstream in(path);
  if (!in)
    throw InputError(std::string("cannot open the edge list: ") + std::strerror(errno), path, 0, 0, kKey);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::pair<std::uint32_t, std::uint32_t> tie;
    if (LineParser(path, line_no, line).parse(n, tie) &&
        (tie.first - first < count || tie.second - first < count))
      edges.push_back(tie);
  }
  if (in.bad()) throw InputError("error while reading the edge list", path, line_no, 0, kKey);
  return network_from_edges(n, std::move(edges), first, count);
}

}  // namespace cxsim
