#pragma once
// Errors that carry where in which input something went wrong, so a user can find the bad line.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace ionfield {

// Bad input data: names the file, the frame (0-based, -1 if not known), the line (1-based, text
// formats) or byte offset (binary formats, -1 if not known) and what was expected there.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string file, long long frame, long long line, long long byte_offset, std::string what_expected);
  const std::string& file() const { return file_; }
  long long frame() const { return frame_; }
  long long line() const { return line_; }
  long long byte_offset() const { return byte_offset_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string file_;
  long long frame_;
  long long line_;
  long long byte_offset_;
  std::string detail_;
};

// Bad arguments or options (not the data): e.g. an unknown format name, a stride of zero.
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace ionfield
