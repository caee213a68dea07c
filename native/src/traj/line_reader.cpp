#include "traj/line_reader.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "ionfield/error.hpp"
#include "traj/inflate_ahead.hpp"

namespace ionfield::detail {

namespace {
constexpr std::size_t kBufferSize = 1 << 20;
}

LineReader::LineReader(const std::string& path) : path_(path), buffer_(kBufferSize) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw ParseError(path, -1, -1, -1, "is a directory; expected a trajectory file");
  file_ = gzopen(path.c_str(), "rb");
  if (!file_) throw ParseError(path, -1, -1, -1, std::string("cannot open file: ") + std::strerror(errno));
  gzbuffer(file_, 1 << 18);
  compressed_ = gzdirect(file_) == 0;
  if (compressed_) ahead_ = std::make_unique<InflateAhead>(file_);
  file_bytes_ = static_cast<long long>(st.st_size);
  streamed_ = !S_ISREG(st.st_mode);  // a pipe or FIFO: no size to check counts against
}

long long LineReader::max_lines(std::size_t min_line_bytes) const {
  // A stream has no size: bound what one header can make us allocate instead (50 million lines).
  if (streamed_) return 50'000'000;
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
  ahead_.reset();  // joins the inflating thread before the file goes
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
  char* into = buffer_.data() + end_;
  const unsigned room = static_cast<unsigned>(buffer_.size() - end_);
  const int got = ahead_ ? ahead_->read(into, room) : gzread(file_, into, room);
  int code = Z_OK;
  std::string msg;
  if (got <= 0 && ahead_) {
    code = ahead_->code();
    msg = ahead_->message();
  } else if (got <= 0) {
    const char* m = gzerror(file_, &code);
    msg = m ? m : "";
  }
  if (got < 0) {
    throw ParseError(path_, -1, line_number_ + 1, consumed_ + static_cast<long long>(end_),
                     "read error (corrupt or truncated compressed data?): " + msg);
  }
  if (got == 0) {
    if (code == Z_BUF_ERROR)  // zlib: the compressed stream stopped before its end marker
      throw ParseError(path_, -1, line_number_ + 1, consumed_ + static_cast<long long>(end_),
                       "the gzip data ends early (truncated file?): " + msg);
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

namespace {

// Exact powers of ten: a double holds 10^k exactly for k <= 22.
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The common case of a dump number ("-12.3456", "1.5e-05", "7"): at most 19 significant digits
// collected into an integer m and a decimal exponent e. When m < 2^53 and |e| <= 22, m and 10^|e|
// are exact doubles and one IEEE multiplication or division rounds correctly (Clinger's fast
// path), so the result equals std::from_chars bit for bit. Returns false to fall back.
bool parse_decimal_fast(const char* p, const char* end, double& value) {
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  uint64_t m = 0;
  int digits = 0, exponent = 0;
  bool any = false;
  while (p < end && static_cast<unsigned>(*p - '0') < 10) {
    if (digits < 19) {
      m = 10 * m + static_cast<unsigned>(*p - '0');
      if (m) ++digits;
    } else {
      ++exponent;  // digits beyond what fits: let the slow path round them
      return false;
    }
    any = true;
    ++p;
  }
  if (p < end && *p == '.') {
    ++p;
    while (p < end && static_cast<unsigned>(*p - '0') < 10) {
      if (digits >= 19) return false;
      m = 10 * m + static_cast<unsigned>(*p - '0');
      if (m) ++digits;
      --exponent;
      any = true;
      ++p;
    }
  }
  if (!any) return false;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool exp_negative = false;
    if (p < end && (*p == '-' || *p == '+')) exp_negative = *p++ == '-';
    if (p >= end) return false;
    int e = 0;
    while (p < end && static_cast<unsigned>(*p - '0') < 10) {
      if (e > 10000) return false;
      e = 10 * e + (*p++ - '0');
    }
    exponent += exp_negative ? -e : e;
  }
  if (p != end) return false;  // trailing garbage: let the strict path reject it
  if (m > (uint64_t(1) << 53) || exponent < -22 || exponent > 22) return false;
  double v = static_cast<double>(m);
  v = exponent < 0 ? v / kPow10[-exponent] : v * kPow10[exponent];
  value = negative ? -v : v;
  return true;
}

}  // namespace

bool parse_double(std::string_view field, double& value) {
  if (field.empty()) return false;
  const char* first = field.data();
  const char* last = first + field.size();
  if (parse_decimal_fast(first, last, value)) return true;
  if (*first == '+') ++first;  // from_chars rejects a leading '+'
  auto [ptr, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && ptr == last;
}

bool parse_finite(std::string_view field, double& value) {
  return parse_double(field, value) && std::isfinite(value);
}

bool parse_int64(std::string_view field, long long& value) {
  const char* p = field.data();
  const char* last = p + field.size();
  bool negative = false;
  if (p < last && (*p == '-' || *p == '+')) negative = *p++ == '-';
  if (p == last || last - p > 18) {  // empty, or long enough to overflow: the checked path
    if (field.empty()) return false;
    const char* first = field.data() + (field[0] == '+');
    auto [ptr, ec] = std::from_chars(first, last, value);
    return ec == std::errc() && ptr == last;
  }
  long long v = 0;
  for (; p < last; ++p) {
    const unsigned d = static_cast<unsigned>(*p - '0');
    if (d > 9) return false;
    v = 10 * v + d;
  }
  value = negative ? -v : v;
  return true;
}

}  // namespace ionfield::detail
