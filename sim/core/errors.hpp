#pragma once
// Typed errors. The core throws; only the CLI and the bindings map them to exit codes or exceptions.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

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
      : std::runtime_error(format(clean(message, kMaxMessage, true), clean(file, kMaxName * 4, false), line,
                                  column, clean(key, kMaxName, false))),
        message_(clean(message, kMaxMessage, true)),
        file_(clean(file, kMaxName * 4, false)),
        line_(line),
        column_(column),
        key_(clean(key, kMaxName, false)) {}

  /// Longest message and file/key kept (bytes); longer text is cut with "...".
  static constexpr std::size_t kMaxMessage = 2000;
  static constexpr std::size_t kMaxName = 200;

  /// `text` safe for a terminal and for Python: control characters (but '\n' in messages when
  /// `keep_newline`) escaped as \xNN, invalid UTF-8 bytes as \xNN, cut to `max` bytes. Names in
  /// files may hold anything (terminal escape sequences, NUL); messages never pass them on raw.
  static std::string clean(const std::string& text, std::size_t max, bool keep_newline) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    while (i < text.size()) {
      if (out.size() >= max) {
        out += "...";
        break;
      }
      const unsigned char c = byte(i);
      std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      bool ok = len > 0 && i + len <= text.size();
      for (std::size_t k = 1; ok && k < len; ++k) ok = (byte(i + k) & 0xC0) == 0x80;
      if (ok && len == 1 && (c < 0x20 || c == 0x7F)) ok = keep_newline && c == '\n';
      if (ok && len == 2 && c == 0xC2 && byte(i + 1) < 0xA0) ok = false;  // C1 controls
      if (ok && len == 2 && c < 0xC2) ok = false;                         // overlong
      if (ok && len == 3 && ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) >= 0xA0)))
        ok = false;  // overlong, surrogates
      if (ok && len == 4 &&
          ((c == 0xF0 && byte(i + 1) < 0x90) || c > 0xF4 || (c == 0xF4 && byte(i + 1) >= 0x90)))
        ok = false;  // overlong, beyond U+10FFFF
      if (!ok) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
        ++i;
        continue;
      }
      out.append(text, i, len);
      i += len;
    }
    return out;
  }

  const std::string& message() const { return message_; }
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key() const { return key_; }

 private:
  static std::string format(const std::string& message, const std::string& file, int line, int column,
                            const std::string& key) {
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

/// A value the user wrote, quoted for a message: cut to 80 bytes ("...") and made safe as
/// InputError::clean makes it, so that what is allowed, said after it, survives the message's cut.
inline std::string quoted_value(std::string_view text) {
  std::string out(1, '\'');
  out += InputError::clean(std::string(text), 80, false);
  out += '\'';
  return out;
}

/// A run stopped on request (Ctrl-C in Python, a signal in the CLI). Nothing is written.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("run cancelled") {}
};

}  // namespace cxsim
