// LineReader on plain and gzip text (gzip is inflated on a second thread): every line comes back
// in order with its number, a reader dropped half-way stops cleanly, and a cut gzip file is an
// error naming the line, not a silent end.
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <string>

#include "check.hpp"
#include "ionfield/error.hpp"
#include "traj/line_reader.hpp"

using ionfield::detail::LineReader;

namespace {
std::string line_text(int i) { return std::to_string(i) + " 1 -1 " + std::to_string(i * 0.25) + " 2.5 3.75"; }
}  // namespace

int main() {
  const int n = 300000;  // ~10 MB: several of the 1 MiB chunks inflated ahead
  const std::string base = "/tmp/ionfield-test-lines-" + std::to_string(::getpid());
  const std::string plain = base + ".txt", packed = base + ".txt.gz";
  {
    std::FILE* f = std::fopen(plain.c_str(), "w");
    gzFile g = gzopen(packed.c_str(), "wb6");
    for (int i = 0; i < n; ++i) {
      const std::string s = line_text(i) + (i % 1000 == 7 ? "\r\n" : "\n");
      std::fputs(s.c_str(), f);
      gzputs(g, s.c_str());
    }
    std::fputs("last line without newline", f);
    gzputs(g, "last line without newline");
    std::fclose(f);
    gzclose(g);
  }
  for (const std::string& path : {plain, packed}) {
    LineReader r(path);
    CHECK(r.compressed() == (path == packed));
    std::string_view line;
    int i = 0, wrong = 0;
    while (i < n && r.next(line)) {
      if (line != line_text(i) || r.line_number() != i + 1) ++wrong;
      ++i;
    }
    CHECK(i == n && wrong == 0);
    CHECK(r.next(line) && line == "last line without newline");
    CHECK(!r.next(line));
  }
  for (int stop_after : {0, 10, 150000}) {  // dropped early: the inflating thread must stop
    LineReader r(packed);
    std::string_view line;
    for (int i = 0; i < stop_after; ++i) r.next(line);
  }
  {
    LineReader r(packed);
    CHECK(r.skip(n) == static_cast<std::size_t>(n));
    std::string_view line;
    CHECK(r.next(line) && line == "last line without newline");
  }
  {  // a gzip file cut in half
    std::FILE* in = std::fopen(packed.c_str(), "rb");
    std::string bytes;
    char buf[65536];
    for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, in)) > 0;) bytes.append(buf, got);
    std::fclose(in);
    const std::string cut = base + "-cut.txt.gz";
    std::FILE* out = std::fopen(cut.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size() / 2, out);
    std::fclose(out);
    LineReader r(cut);
    std::string_view line;
    bool threw = false;
    try {
      while (r.next(line)) {
      }
    } catch (const ionfield::ParseError& e) {
      threw = std::string(e.detail()).find("ends early") != std::string::npos && e.line() > 1000;
    }
    CHECK(threw);
    std::remove(cut.c_str());
  }
  std::remove(plain.c_str());
  std::remove(packed.c_str());
  return check::summary("test_traj_line_reader");
}
