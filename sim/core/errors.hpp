#pragma once
// Typed errors. The core throws; only the CLI and the bindings map them to exit codes or exceptions.

#include <stdexcept>
#include <string>

namespace cxsim {

/// Bad input from the user (scenario, option, file). The CLI exits with status 2.
class InputError : public std::runtime_error {
 public:
  /// @param message what is wrong and what is allowed
  /// @param file    the file it came from ("" when none)
  /// @param line    1-based line, 0 when unknown
  /// @param column  1-based column, 0 when unknown
  /// @param key     the scenario key ("" when none)
  explicit InputError(std::string message, std::string file = {}, int line = 0, int column = 0,
                      std::string key = {})
      : std::runtime_error(format(message, file, line, column, key)),
        message_(std::move(message)), file_(std::move(file)), line_(line), column_(column),
        key_(std::move(key)) {}

  const std::string& message() const { return message_; }
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key() const { return key_; }

 private:
  static std::string format(const std::string& message, const std::string& file, int line,
                            int column, const std::string& key) {
    std::string out;
    if (!file.empty()) {
      out += file;
      if (line > 0) out.append(":").append(std::to_string(line));
      if (line > 0 && column > 0) out.append(":").append(std::to_string(column));
      out += ": ";
    }
    if (!key.empty()) {
      out += '\'';
      out += key;
      out += "': ";
    }
    out += message;
    return out;
  }

  std::string message_;
  std::string file_;
  int line_ = 0;
  int column_ = 0;
  std::string key_;
};

/// A run stopped on request (Ctrl-C in Python, a signal in the CLI). Nothing is written.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("run cancelled") {}
};

}  // namespace cxsim
