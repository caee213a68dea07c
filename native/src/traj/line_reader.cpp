#include "traj/line_reader.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "ionfield/error.hpp"

namespace ionfield::detail {

namespace {
constexpr std::size_t kBufferSize = 1 << 20;
}

LineReader::LineReader(const std::string& path) : path_(path), buffer_(kBufferSize) {
  file_ = gzopen(path.c_str(), "rb");
  if (!file_) throw ParseError(path, -1, -1, -1, std::string("cannot open file: ") + std::strerror(errno));
  gzbuffer(file_, 1 << 18);
  compressed_ = gzdirect(file_) == 0;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) file_bytes_ = static_cast<long long>(st.st_size);
}

long long LineReader::max_lines(std::size_t min_line_bytes) const {
  const long long expanded = compressed_ ? file_bytes_ * 1032 + 1024 : file_bytes_;
  return expanded / static_cast<long long>(min_line_bytes < 1 ? 1 : min_line_bytes) + 1;
}

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out.push_back(c >= 32 && c < 127 ? static_cast<char>(c) : c == '\t' ? ' ' : '?');
  }
  if (text.size() > max) out += "...";
  return out;
}

LineReader::~LineReader() {
  if (file_) gzclose(file_);
}

bool LineReader::fill() {
  if (eof_) return false;
  // Keep unconsumed bytes at the front of the buffer.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    consumed_ += static_cast<long long>(begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // a very long line
  const int got = gzread(file_, buffer_.data() + end_, static_cast<unsigned>(buffer_.size() - end_));
  if (got < 0) {
    int code = 0;
    const char* msg = gzerror(file_, &code);
    throw ParseError(path_, -1, line_number_ + 1, consumed_ + static_cast<long long>(end_),
                     std::string("read error (corrupt or truncated compressed data?): ") + msg);
  }
  if (got == 0) {
    int code = 0;
    const char* msg = gzerror(file_, &code);
    if (code == Z_BUF_ERROR)  // zlib: the compressed stream stopped before its end marker
      throw ParseError(path_, -1, line_number_ + 1, consumed_ + static_cast<long long>(end_),
                       std::string("the gzip data ends early (truncated file?): ") + msg);
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(got);
  return true;
}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl) {
      std::size_t len = static_cast<const char*>(nl) - start;
      line_offset_ = consumed_ + static_cast<long long>(begin_);
      begin_ += len + 1;
      if (len > 0 && start[len - 1] == '\r') --len;
      line = std::string_view(start, len);
      ++line_number_;
      return true;
    }
    if (!fill()) {
      if (begin_ == end_) return false;
      // Last line without a newline.
      std::size_t len = end_ - begin_;
      line_offset_ = consumed_ + static_cast<long long>(begin_);
      carry_.assign(buffer_.data() + begin_, len);
      begin_ = end_;
      if (!carry_.empty() && carry_.back() == '\r') carry_.pop_back();
      line = carry_;
      ++line_number_;
      return true;
    }
  }
}

std::size_t LineReader::skip(std::size_t n) {
  std::size_t skipped = 0;
  while (skipped < n) {
    const char* start = buffer_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl) {
      line_offset_ = consumed_ + static_cast<long long>(begin_);
      begin_ += static_cast<const char*>(nl) - start + 1;
      ++line_number_;
      ++skipped;
      continue;
    }
    if (!fill()) {
      if (begin_ != end_) {  // final unterminated line
        line_offset_ = consumed_ + static_cast<long long>(begin_);
        begin_ = end_;
        ++line_number_;
        ++skipped;
      }
      break;
    }
  }
  return skipped;
}

std::size_t split_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t i = 0, n = line.size();
  while (i < n) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= n) break;
    std::size_t j = i;
    while (j < n && line[j] != ' ' && line[j] != '\t') ++j;
    fields.emplace_back(line.data() + i, j - i);
    i = j;
  }
  return fields.size();
}

bool parse_double(std::string_view field, double& value) {
  if (field.empty()) return false;
  const char* first = field.data();
  const char* last = first + field.size();
  if (*first == '+') ++first;  // from_chars rejects a leading '+'
  auto [ptr, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && ptr == last;
}

bool parse_finite(std::string_view field, double& value) {
  return parse_double(field, value) && std::isfinite(value);
}

bool parse_int64(std::string_view field, long long& value) {
  if (field.empty()) return false;
  const char* first = field.data();
  const char* last = first + field.size();
  if (*first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && ptr == last;
}

}  // namespace ionfield::detail
