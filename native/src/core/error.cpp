#include "ionfield/error.hpp"

namespace ionfield {
namespace {
std::string format_parse_error(const std::string& file, long long frame, long long line, long long offset,
                               const std::string& detail) {
  std::string where = file;
  if (frame >= 0) where += ", frame " + std::to_string(frame);
  if (line > 0) where += ", line " + std::to_string(line);
  if (offset >= 0) where += ", byte " + std::to_string(offset);
  return where + ": " + detail;
}
}  // namespace

ParseError::ParseError(std::string file, long long frame, long long line, long long byte_offset,
                       std::string detail)
    : std::runtime_error(format_parse_error(file, frame, line, byte_offset, detail)),
      file_(std::move(file)), frame_(frame), line_(line), byte_offset_(byte_offset), detail_(std::move(detail)) {}

}  // namespace ionfield
