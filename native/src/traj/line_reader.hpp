#pragma once
// Buffered line-by-line reading of plain or gzip-compressed text (zlib reads both), tracking the
// line number and uncompressed byte offset for error messages. Internal to the text readers.
#include <zlib.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ionfield/error.hpp"

namespace ionfield::detail {

class InflateAhead;

class LineReader {
 public:
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Next line without its newline (and without a trailing '\r'); false at end of file.
  // The view stays valid until the next call.
  bool next(std::string_view& line);
  // Skips n lines; returns how many were actually skipped (fewer at end of file).
  std::size_t skip(std::size_t n);
  long long line_number() const { return line_number_; }        // of the last line returned
  long long line_start_offset() const { return line_offset_; }  // byte offset of that line
  const std::string& path() const { return path_; }
  bool compressed() const { return compressed_; }
  // The most atom lines of `min_line_bytes` bytes each that this file could hold once
  // decompressed (deflate expands at most ~1032-fold): a bound that stops a garbage atom count
  // from allocating memory the file cannot fill.
  long long max_lines(std::size_t min_line_bytes) const;

 private:
  bool fill();  // read more data; false if nothing more
  std::string path_;
  gzFile file_ = nullptr;
  bool compressed_ = false;
  std::unique_ptr<InflateAhead> ahead_;  // gzip input: inflated on a second thread
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  long long line_number_ = 0;
  long long consumed_ = 0;    // bytes consumed before buffer_[begin_]
  long long line_offset_ = 0;
  std::string carry_;         // a line that spans a buffer refill
  long long file_bytes_ = 0;  // size on disk
  bool streamed_ = false;     // not a regular file (pipe, FIFO): read once, front to back
};

// Runs fn(); a ParseError from the LineReader (which knows lines, not frames) gets `frame` added.
template <typename Fn>
auto in_frame(long long frame, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const ParseError& e) {
    if (e.frame() >= 0) throw;
    throw ParseError(e.file(), frame, e.line(), e.byte_offset(), e.detail());
  }
}

// A line shortened to `max` characters with unprintable bytes shown as '?', for error messages
// (the input may be binary).
std::string printable(std::string_view text, std::size_t max = 80);

// Splits on blanks (spaces and tabs) into `fields`; returns the count. Inline: it runs once per
// atom line and is the readers' hot loop together with the number parsing.
inline std::size_t split_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  const char* p = line.data();
  const char* end = p + line.size();
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    if (p >= end) break;
    const char* q = p;
    while (q < end && *q != ' ' && *q != '\t') ++q;
    fields.emplace_back(p, static_cast<std::size_t>(q - p));
    p = q;
  }
  return fields.size();
}
// Strict number parsing: the whole field must be a number.
bool parse_double(std::string_view field, double& value);
bool parse_int64(std::string_view field, long long& value);
// As parse_double, and also rejects nan and inf (a coordinate must be a finite number).
bool parse_finite(std::string_view field, double& value);

}  // namespace ionfield::detail
