// XTC: the compression codec on its own (exact integer round trips over many coordinate
// patterns), then files written and read back (precision, small frames, boxes, skipping), then
// corrupt files (every error names file, frame and byte offset).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "binary_test_util.hpp"
#include "check.hpp"
#include "ionfield/error.hpp"
#include "ionfield/trajectory.hpp"
#include "traj/xtc_codec.hpp"
#include "traj/xtc_writer.hpp"

using namespace ionfield;
namespace xtc = ionfield::detail::xtc;

namespace {

std::mt19937_64 rng(12345);

bool codec_round_trip(const std::vector<int32_t>& coords) {
  xtc::Encoded e;
  xtc::encode(coords.data(), coords.size() / 3, e);
  std::vector<int32_t> back(coords.size(), -7);
  xtc::decode(e.bytes.data(), e.bytes.size(), coords.size() / 3, e.minint, e.maxint, e.smallidx, back.data());
  return back == coords;
}

std::vector<int32_t> uniform(std::size_t n, int32_t lo, int32_t hi) {
  std::uniform_int_distribution<int64_t> d(lo, hi);
  std::vector<int32_t> c(3 * n);
  for (auto& v : c) v = static_cast<int32_t>(d(rng));
  return c;
}

// Water-like: triplets (O, H, H) within a few hundred units of each other, molecules spread out.
std::vector<int32_t> molecules(std::size_t nmol, int32_t box, int32_t bond) {
  std::uniform_int_distribution<int32_t> where(0, box), wiggle(-bond, bond);
  std::vector<int32_t> c;
  for (std::size_t m = 0; m < nmol; ++m) {
    int32_t o[3] = {where(rng), where(rng), where(rng)};
    for (int a = 0; a < 3; ++a)
      for (int k = 0; k < 3; ++k) c.push_back(a == 0 ? o[k] : o[k] + wiggle(rng));
  }
  return c;
}

// A random walk whose step size changes by orders of magnitude along the chain (exercises the
// adaptive small-coordinate size going up and down, and runs breaking on big jumps).
std::vector<int32_t> walk_with_jumps(std::size_t n) {
  std::vector<int32_t> c(3 * n);
  int64_t p[3] = {0, 0, 0};
  for (std::size_t i = 0; i < n; ++i) {
    const int scale = (i / 37) % 4 == 0 ? 3 : (i / 37) % 4 == 1 ? 300 : (i / 37) % 4 == 2 ? 30000 : 3000000;
    std::uniform_int_distribution<int32_t> step(-scale, scale);
    for (int k = 0; k < 3; ++k) {
      p[k] = std::clamp<int64_t>(p[k] + step(rng), -1000000000, 1000000000);
      c[3 * i + k] = static_cast<int32_t>(p[k]);
    }
  }
  return c;
}

void test_magic_table() {
  // Values of the format's table (every XTC implementation uses the same numbers).
  CHECK(xtc::magic(9) == 8);
  CHECK(xtc::magic(10) == 10);
  CHECK(xtc::magic(11) == 12);
  CHECK(xtc::magic(20) == 101);
  CHECK(xtc::magic(37) == 5060);
  CHECK(xtc::magic(57) == 524287);
  CHECK(xtc::magic(69) == 8388607);
  CHECK(xtc::magic(72) == 16777216);
  CHECK(xtc::magic(8) == 0);
  bool cubes_fit = true;
  for (int i = xtc::kFirstIdx; i <= xtc::kLastIdx; ++i) {
    const unsigned __int128 m = static_cast<unsigned __int128>(xtc::magic(i));
    cubes_fit = cubes_fit && m * m * m <= (static_cast<unsigned __int128>(1) << i);
  }
  CHECK(cubes_fit);
  const uint32_t ones[3] = {1, 1, 1}, s[3] = {1000, 1000, 1000}, pow2[3] = {256, 256, 256};
  CHECK(xtc::bits_for_sizes(ones) == 1);
  CHECK(xtc::bits_for_sizes(s) == 30);      // 10^9 < 2^30
  CHECK(xtc::bits_for_sizes(pow2) == 25);   // bit length of 2^24
}

void test_codec_round_trips() {
  CHECK(codec_round_trip(uniform(10, 0, 3000)));
  CHECK(codec_round_trip(uniform(1000, 0, 5000)));
  CHECK(codec_round_trip(uniform(1000, -100000, 100000)));
  CHECK(codec_round_trip(uniform(500, -1000000000, 1000000000)));  // "large" ranges (> 2^24)
  CHECK(codec_round_trip(uniform(500, 2147483000, 2147483647)));    // near the int32 edge
  CHECK(codec_round_trip(uniform(500, -2147483647, -2147483000)));
  CHECK(codec_round_trip(uniform(300, 5, 5)));                      // all atoms on one point
  CHECK(codec_round_trip(uniform(300, 0, 1)));
  CHECK(codec_round_trip(molecules(3000, 5000, 100)));
  CHECK(codec_round_trip(molecules(1000, 2000000, 3)));
  CHECK(codec_round_trip(molecules(1000, 20000000, 9000000)));      // small index near the top
  CHECK(codec_round_trip(walk_with_jumps(5000)));
  for (int trial = 0; trial < 200; ++trial) {  // many sizes and mixtures
    std::uniform_int_distribution<int> pick(10, 400);
    std::vector<int32_t> c = trial % 2 ? molecules(pick(rng), pick(rng) * 50, trial % 7 + 1) : walk_with_jumps(pick(rng));
    if (!codec_round_trip(c)) {
      CHECK(false);
      break;
    }
  }
  // Sorted lattice: long runs of close neighbours (runs of the maximum length).
  std::vector<int32_t> lattice;
  for (int x = 0; x < 20; ++x)
    for (int y = 0; y < 20; ++y)
      for (int z = 0; z < 20; ++z)
        for (int v : {x * 100, y * 100, z * 100}) lattice.push_back(v);
  CHECK(codec_round_trip(lattice));
  // Compression should beat 12 bytes per atom by far for molecular data.
  xtc::Encoded e;
  const auto water = molecules(3000, 3000, 100);
  xtc::encode(water.data(), water.size() / 3, e);
  CHECK(e.bytes.size() < 9000 * 5);
}

void test_codec_rejects_bad_blocks() {
  xtc::Encoded e;
  const auto c = molecules(200, 5000, 100);
  xtc::encode(c.data(), c.size() / 3, e);
  std::vector<int32_t> out(c.size());
  CHECK_THROWS(xtc::decode(e.bytes.data(), e.bytes.size() / 2, c.size() / 3, e.minint, e.maxint, e.smallidx, out.data()));
  CHECK_THROWS(xtc::decode(e.bytes.data(), e.bytes.size(), c.size() / 3, e.minint, e.maxint, 3, out.data()));
  CHECK_THROWS(xtc::decode(e.bytes.data(), e.bytes.size(), c.size() / 3, e.minint, e.maxint, 80, out.data()));
  const int32_t badmax[3] = {e.minint[0] - 2, e.maxint[1], e.maxint[2]};
  CHECK_THROWS(xtc::decode(e.bytes.data(), e.bytes.size(), c.size() / 3, e.minint, badmax, e.smallidx, out.data()));
  // Garbage must either decode to something or throw, never read outside the buffer (run under ASan in fuzzing).
  int thrown = 0;
  for (int t = 0; t < 300; ++t) {
    std::vector<unsigned char> junk(1 + t % 64);
    for (auto& b : junk) b = static_cast<unsigned char>(rng());
    std::vector<int32_t> o(3 * 50);
    const int32_t lo[3] = {0, 0, 0}, hi[3] = {1000, 1000, 1000};
    try {
      xtc::decode(junk.data(), junk.size(), 50, lo, hi, 9 + t % 20, o.data());
    } catch (const xtc::CodecError&) {
      ++thrown;
    }
  }
  CHECK(thrown > 0);
}

Frame make_frame(std::size_t n, long long step, double time, bool triclinic, double spread) {
  Frame f;
  f.resize(n);
  f.step = step;
  f.time = time;
  f.has_box = true;
  f.box = triclinic ? Box::from_lengths_angles(3.1, 3.3, 3.7, 80, 95, 110) : Box::orthorhombic(3.0, 3.5, 4.0);
  std::uniform_real_distribution<double> u(-spread, spread);
  for (auto& x : f.positions) x = u(rng);
  return f;
}

void test_file_round_trip(std::size_t natoms, float precision, bool triclinic, double spread) {
  const std::string path = testutil::temp_path("rt-" + std::to_string(natoms) + "-" + std::to_string(int(precision)) + ".xtc");
  std::vector<Frame> written;
  {
    auto w = precision == 1000.0f ? create_trajectory_writer(path) : detail::make_xtc_writer(path, precision);
    for (int k = 0; k < 5; ++k) {
      written.push_back(make_frame(natoms, 1000 * k + 10, 2.5 * k + 0.5, triclinic, spread));
      w->write(written.back());
    }
    w->close();
  }
  const auto frames = testutil::read_all(path);
  CHECK(frames.size() == written.size());
  if (frames.size() != written.size()) return;
  double worst = 0, worst_box = 0;
  bool meta = true;
  for (std::size_t k = 0; k < frames.size(); ++k) {
    const Frame& a = written[k];
    const Frame& b = frames[k];
    meta = meta && b.natoms == natoms && b.step == a.step && std::fabs(b.time - a.time) < 1e-6 && b.has_box && b.types.empty();
    for (std::size_t i = 0; i < 3 * natoms; ++i) worst = std::max(worst, std::fabs(a.positions[i] - b.positions[i]));
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) worst_box = std::max(worst_box, std::fabs(a.box.h[i][j] - b.box.h[i][j]));
  }
  CHECK(meta);
  // Compressed frames: within half a precision unit (+ float32 rounding of the value itself).
  const double tol = natoms <= 9 ? spread * 1.2e-7 : 0.5 / precision + spread * 1.2e-7;
  CHECK_NEAR(worst, 0.0, tol);
  CHECK_NEAR(worst_box, 0.0, 4.0 * 1.2e-7);
  // Strided reading uses skip_next (seeks); it must land on the same frames.
  FrameSelection sel(open_trajectory(path), 1, -1, 2);
  Frame f;
  std::vector<long long> steps;
  while (sel.read_next(f)) {
    steps.push_back(f.step);
    CHECK(f.positions == frames[static_cast<std::size_t>(sel.reader().next_frame_index() - 1)].positions);
  }
  CHECK((steps == std::vector<long long>{1010, 3010}));
}

template <typename F>
std::string parse_error_of(F&& fn, long long* frame = nullptr, long long* offset = nullptr) {
  try {
    fn();
  } catch (const ParseError& e) {
    if (frame) *frame = e.frame();
    if (offset) *offset = e.byte_offset();
    return e.what();
  } catch (const std::exception& e) {
    return std::string("NOT A PARSE ERROR: ") + e.what();
  }
  return "NO ERROR";
}

void test_bad_files() {
  const std::string good = testutil::temp_path("good.xtc");
  {
    auto w = create_trajectory_writer(good);
    for (int k = 0; k < 3; ++k) w->write(make_frame(100, k, k, false, 2.0));
    w->close();
  }
  const auto bytes = testutil::slurp(good);
  const std::size_t frame_size = bytes.size() / 3;  // frames compress to similar sizes; find the real boundary
  (void)frame_size;
  // Locate the second frame by its magic (big-endian 1995).
  std::size_t second = 0;
  for (std::size_t i = 4; i + 4 <= bytes.size(); i += 4)
    if (bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 0x07 && bytes[i + 3] == 0xCB && bytes[i + 4] == 0 &&
        bytes[i + 7] == 100) {
      second = i;
      break;
    }
  CHECK(second > 0);

  // Truncated in the middle of frame 1.
  const std::string cut = testutil::temp_path("cut.xtc");
  testutil::spit(cut, std::vector<unsigned char>(bytes.begin(), bytes.begin() + static_cast<long>(second + 150)));
  long long frame = -9, offset = -9;
  std::string msg = parse_error_of([&] { testutil::read_all(cut); }, &frame, &offset);
  CHECK(frame == 1);
  CHECK(offset >= static_cast<long long>(second));
  CHECK(msg.find("cut.xtc") != std::string::npos);
  CHECK(msg.find("truncated") != std::string::npos);
  // Skipping over the truncated frame is an error too (the seek target is past the end).
  msg = parse_error_of([&] {
    FrameSelection s(open_trajectory(cut), 2, -1, 1);
    Frame f;
    s.read_next(f);
  }, &frame);
  CHECK(frame == 1);

  // Wrong magic at the start and in frame 2.
  auto bad = bytes;
  bad[3] = 0x01;
  const std::string wrong = testutil::temp_path("wrong-magic.xtc");
  testutil::spit(wrong, bad);
  msg = parse_error_of([&] { testutil::read_all(wrong, "xtc"); }, &frame, &offset);
  CHECK(frame == 0 && offset == 0);
  CHECK(msg.find("1995") != std::string::npos);

  // GROMACS 2023's large-frame variant is named, not mistaken for garbage.
  bad = bytes;
  bad[2] = 0x07, bad[3] = 0xE7;  // 2023
  const std::string v2023 = testutil::temp_path("magic2023.xtc");
  testutil::spit(v2023, bad);
  msg = parse_error_of([&] { testutil::read_all(v2023); }, &frame, &offset);
  CHECK(frame == 0 && offset == 0 && msg.find("2023") != std::string::npos);

  // natoms changes between frames: frame 1 header says 101 (and its coordinate count too).
  bad = bytes;
  bad[second + 7] = 101;
  bad[second + 55] = 101;
  const std::string changed = testutil::temp_path("natoms-changes.xtc");
  testutil::spit(changed, bad);
  msg = parse_error_of([&] { testutil::read_all(changed); }, &frame, &offset);
  CHECK(frame == 1 && offset == static_cast<long long>(second + 4));
  CHECK(msg.find("frame 0 had 100") != std::string::npos);

  // Absurd atom count (2^31 - 1) in the first frame: an error, not a 50 GB allocation.
  bad = bytes;
  bad[4] = 0x7f, bad[5] = bad[6] = bad[7] = 0xff;
  bad[52] = 0x7f, bad[53] = bad[54] = bad[55] = 0xff;
  const std::string absurd = testutil::temp_path("absurd.xtc");
  testutil::spit(absurd, bad);
  msg = parse_error_of([&] { testutil::read_all(absurd); }, &frame);
  CHECK(frame == 0);
  CHECK(msg.find("2147483647") != std::string::npos);

  // Absurd compressed byte count.
  bad = bytes;
  bad[88] = 0x7f;
  const std::string huge = testutil::temp_path("huge-count.xtc");
  testutil::spit(huge, bad);
  msg = parse_error_of([&] { testutil::read_all(huge); }, &frame, &offset);
  CHECK(frame == 0 && offset == 88);

  // Corrupted compressed bytes: an error or wrong numbers, never a crash (ASan in the fuzzer).
  bad = bytes;
  for (std::size_t i = 92; i < 120; ++i) bad[i] ^= 0x5a;
  const std::string flipped = testutil::temp_path("flipped.xtc");
  testutil::spit(flipped, bad);
  try {
    testutil::read_all(flipped);
  } catch (const ParseError&) {
  }
  CHECK(true);

  // Not a trajectory at all.
  const std::string text = testutil::temp_path("notes.xtc");
  testutil::spit(text, std::vector<unsigned char>{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
  msg = parse_error_of([&] { testutil::read_all(text); }, &frame, &offset);
  CHECK(frame == 0 && offset == 0);
  const std::string empty = testutil::temp_path("empty.xtc");
  testutil::spit(empty, {});
  msg = parse_error_of([&] { testutil::read_all(empty); });
  CHECK(msg.find("empty") != std::string::npos);
}

void test_writer_rejects() {
  auto w = create_trajectory_writer(testutil::temp_path("reject.xtc"));
  Frame f = make_frame(20, 0, 0, false, 1.0);
  f.positions[5] = 3e6;  // 3e9 precision units: does not fit int32
  CHECK_THROWS(w->write(f));
  f.positions[5] = std::nan("");
  CHECK_THROWS(w->write(f));
  f = make_frame(20, 0, 0, false, 1.0);
  w->write(f);
  CHECK_THROWS(w->write(make_frame(21, 1, 1, false, 1.0)));
}

}  // namespace

int main() {
  test_magic_table();
  test_codec_round_trips();
  test_codec_rejects_bad_blocks();
  for (std::size_t n : {1, 3, 9}) test_file_round_trip(n, 1000.0f, true, 5.0);
  test_file_round_trip(10, 1000.0f, true, 5.0);
  test_file_round_trip(2000, 1000.0f, false, 3.0);
  test_file_round_trip(2000, 1000.0f, true, 2000.0);  // large values
  test_file_round_trip(500, 100.0f, false, 3.0);
  test_file_round_trip(500, 1e6f, true, 1.0);        // fine precision
  test_bad_files();
  test_writer_rejects();
  return check::summary("test_xtc");
}
