// DCD: files built byte by byte in this test (independently of ionfield's writer) for each
// flavour a reader meets — CHARMM/NAMD cosine or degree cells, LAMMPS' header (NSET = 0, dt in
// LAMMPS units), big-endian, 8-byte record markers, X-PLOR, 4D, fixed atoms — then the writer's
// round trip, frame skipping, and corrupt files.
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "binary_test_util.hpp"
#include "check.hpp"
#include "ionfield/error.hpp"
#include "ionfield/trajectory.hpp"

using namespace ionfield;

namespace {

constexpr double kPi = 3.14159265358979323846;

struct DcdSpec {
  bool big_endian = false;
  int marker = 4;            // bytes per record marker
  int charmm_version = 24;   // 0: X-PLOR
  int nset = 3;
  int istart = 100, nsavc = 10, namnf = 0;
  double delta = 2.0;        // AKMA (or LAMMPS dt when the title says LAMMPS)
  bool cell = true, four_d = false;
  std::string title = "REMARKS test file";
  double cell_values[6] = {20, 0, 21, 0, 0, 22};  // A, gamma, B, beta, alpha, C
  std::size_t natoms = 4;
  int frames = 3;
};

class Bytes {
 public:
  explicit Bytes(const DcdSpec& s) : s_(s) {}
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void f32(float f) { uint32_t u; std::memcpy(&u, &f, 4); u32(u); }
  void f64(double d) { uint64_t u; std::memcpy(&u, &d, 8); u64(u); }
  void marker(uint64_t len) { s_.marker == 8 ? u64(len) : u32(static_cast<uint32_t>(len)); }
  void text(const std::string& t) { out.insert(out.end(), t.begin(), t.end()); }
  std::vector<unsigned char> out;

 private:
  void raw(const void* p, int n) {  // host is little-endian (x86/arm64): reverse for big-endian
    const auto* b = static_cast<const unsigned char*>(p);
    for (int i = 0; i < n; ++i) out.push_back(b[s_.big_endian ? n - 1 - i : i]);
  }
  const DcdSpec& s_;
};

double coordinate(int frame, std::size_t atom, int axis) { return 1.5 * frame + 0.25 * atom + 0.125 * axis - 3.0; }

std::vector<unsigned char> build(const DcdSpec& s) {
  Bytes b(s);
  b.marker(84);
  b.text("CORD");
  int32_t ic[20] = {0};
  ic[0] = s.nset, ic[1] = s.istart, ic[2] = s.nsavc, ic[8] = s.namnf, ic[19] = s.charmm_version;
  ic[10] = s.cell ? 1 : 0, ic[11] = s.four_d ? 1 : 0;
  for (int k = 0; k < 20; ++k) {
    if (s.charmm_version != 0 && k == 9) b.f32(static_cast<float>(s.delta));
    else if (s.charmm_version == 0 && k == 9) { b.f64(s.delta); ++k; }
    else b.u32(static_cast<uint32_t>(ic[k]));
  }
  b.marker(84);
  std::string line = s.title;
  line.resize(80, ' ');
  b.marker(84);
  b.u32(1);
  b.text(line);
  b.marker(84);
  b.marker(4);
  b.u32(static_cast<uint32_t>(s.natoms));
  b.marker(4);
  if (s.namnf > 0) {  // free atom list
    b.marker(4 * (s.natoms - s.namnf));
    for (std::size_t i = 0; i < s.natoms - s.namnf; ++i) b.u32(static_cast<uint32_t>(i + 1));
    b.marker(4 * (s.natoms - s.namnf));
  }
  for (int f = 0; f < s.frames; ++f) {
    if (s.cell) {
      b.marker(48);
      for (double v : s.cell_values) b.f64(v);
      b.marker(48);
    }
    for (int axis = 0; axis < (s.four_d ? 4 : 3); ++axis) {
      b.marker(4 * s.natoms);
      for (std::size_t i = 0; i < s.natoms; ++i) b.f32(static_cast<float>(coordinate(f, i, axis)));
      b.marker(4 * s.natoms);
    }
  }
  return b.out;
}

std::vector<Frame> read_spec(const DcdSpec& s, const std::string& name) {
  const std::string path = testutil::temp_path(name + ".dcd");
  testutil::spit(path, build(s));
  return testutil::read_all(path);
}

bool coordinates_match(const std::vector<Frame>& frames, const DcdSpec& s) {
  if (frames.size() != static_cast<std::size_t>(s.frames)) return false;
  for (int f = 0; f < s.frames; ++f) {
    if (frames[f].natoms != s.natoms || !frames[f].types.empty()) return false;
    for (std::size_t i = 0; i < s.natoms; ++i)
      for (int axis = 0; axis < 3; ++axis)
        if (frames[f].positions[3 * i + axis] != static_cast<double>(static_cast<float>(coordinate(f, i, axis)))) return false;
  }
  return true;
}

void check_box(const Frame& f, double a, double b, double c, double alpha, double beta, double gamma) {
  CHECK(f.has_box);
  const Vec3 l = f.box.lengths(), ang = f.box.angles_degrees();
  CHECK_NEAR(l[0], a, 1e-9);
  CHECK_NEAR(l[1], b, 1e-9);
  CHECK_NEAR(l[2], c, 1e-9);
  CHECK_NEAR(ang[0], alpha, 1e-7);
  CHECK_NEAR(ang[1], beta, 1e-7);
  CHECK_NEAR(ang[2], gamma, 1e-7);
  CHECK(f.box.h[0][1] == 0 && f.box.h[0][2] == 0 && f.box.h[1][2] == 0);  // a along x, b in xy
}

void test_charmm_flavours() {
  DcdSpec s;
  auto frames = read_spec(s, "charmm");
  CHECK(coordinates_match(frames, s));
  check_box(frames[0], 20, 21, 22, 90, 90, 90);
  CHECK(frames[0].box.is_orthorhombic());
  CHECK(frames[2].step == 120);
  CHECK_NEAR(frames[2].time, 120 * 2.0 * 0.04888821, 1e-6);  // AKMA -> ps

  // Cosines (CHARMM, NAMD >= 2.5): alpha 80, beta 95, gamma 110 degrees.
  DcdSpec cosines;
  const double c[6] = {20, std::cos(110 * kPi / 180), 21, std::cos(95 * kPi / 180), std::cos(80 * kPi / 180), 22};
  std::copy(c, c + 6, cosines.cell_values);
  check_box(read_spec(cosines, "cosines")[1], 20, 21, 22, 80, 95, 110);
  // Degrees (older NAMD, MDAnalysis).
  DcdSpec degrees;
  const double d[6] = {20, 110, 21, 95, 80, 22};
  std::copy(d, d + 6, degrees.cell_values);
  check_box(read_spec(degrees, "degrees")[1], 20, 21, 22, 80, 95, 110);

  DcdSpec be = cosines;
  be.big_endian = true;
  frames = read_spec(be, "big-endian");
  CHECK(coordinates_match(frames, be));
  check_box(frames[0], 20, 21, 22, 80, 95, 110);

  DcdSpec wide = s;
  wide.marker = 8;
  CHECK(coordinates_match(read_spec(wide, "marker8"), wide));
  wide.big_endian = true;
  CHECK(coordinates_match(read_spec(wide, "marker8-be"), wide));

  DcdSpec xplor = s;
  xplor.charmm_version = 0;
  xplor.cell = false;
  xplor.delta = 0.5;
  frames = read_spec(xplor, "xplor");
  CHECK(coordinates_match(frames, xplor));
  CHECK(!frames[0].has_box);
  CHECK_NEAR(frames[1].time, 110 * 0.5 * 0.04888821, 1e-9);

  DcdSpec fourd = s;
  fourd.four_d = true;
  CHECK(coordinates_match(read_spec(fourd, "fourd"), fourd));
}

// LAMMPS' dump dcd: title "Written by LAMMPS", NSET patched per frame (0 if the run was cut),
// DELTA = LAMMPS dt in its own time unit, cell = lengths and cosines of its restricted triclinic cell.
void test_lammps_flavour() {
  // LAMMPS cell with h = [[18,0,0],[2.5,19,0],[1.5,-2,20]] (lx, xy ly, xz yz lz).
  const double ax = 18, bx = 2.5, by = 19, cx = 1.5, cy = -2, cz = 20;
  const double a = ax, b = std::hypot(bx, by), c = std::sqrt(cx * cx + cy * cy + cz * cz);
  DcdSpec s;
  s.title = "Written by LAMMPS";
  s.nset = 0;
  s.istart = 0;
  s.nsavc = 20;
  s.delta = 1.0;  // fs for units real
  s.frames = 4;
  const double cell[6] = {a, ax * bx / (a * b), b, ax * cx / (a * c), (bx * cx + by * cy) / (b * c), c};
  std::copy(cell, cell + 6, s.cell_values);
  const auto frames = read_spec(s, "lammps");
  CHECK(coordinates_match(frames, s));  // 4 frames although NSET says 0
  const Box& box = frames[3].box;
  const double want[3][3] = {{ax, 0, 0}, {bx, by, 0}, {cx, cy, cz}};
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) CHECK_NEAR(box.h[i][k], want[i][k], 1e-9);
  CHECK(frames[3].step == 60);
  CHECK_NEAR(frames[3].time, 60.0, 1e-9);  // LAMMPS time unit (fs here), not AKMA
}

void test_writer_round_trip() {
  const std::string path = testutil::temp_path("written.dcd");
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-50, 50);
  std::vector<Frame> in;
  {
    auto w = create_trajectory_writer(path);
    for (int k = 0; k < 6; ++k) {
      Frame f;
      f.resize(300);
      for (auto& x : f.positions) x = u(rng);
      f.step = 500 + 250 * k;
      f.time = 0.5 * f.step * 0.002;  // ps
      f.has_box = true;
      f.box = Box::from_lengths_angles(30, 31 + k, 32, 85, 92, 118);
      in.push_back(f);
      w->write(f);
    }
    w->close();
  }
  const auto out = testutil::read_all(path);
  CHECK(out.size() == in.size());
  double worst = 0;
  for (std::size_t k = 0; k < out.size() && k < in.size(); ++k) {
    for (std::size_t i = 0; i < in[k].positions.size(); ++i)
      worst = std::max(worst, std::fabs(out[k].positions[i] - in[k].positions[i]) / std::max(1.0, std::fabs(in[k].positions[i])));
    CHECK(out[k].step == in[k].step);
    CHECK_NEAR(out[k].time, in[k].time, 1e-6 * in[k].time);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) CHECK_NEAR(out[k].box.h[i][j], in[k].box.h[i][j], 1e-9);
  }
  CHECK(worst <= 6e-8);  // float32
  // skip_next seeks over fixed-size frames.
  FrameSelection sel(open_trajectory(path), 1, 5, 3);
  Frame f;
  std::vector<long long> steps;
  while (sel.read_next(f)) steps.push_back(f.step);
  CHECK((steps == std::vector<long long>{750, 1500}));
  // Zero frames: nothing to learn the atom count from.
  auto w = create_trajectory_writer(testutil::temp_path("none.dcd"));
  CHECK_THROWS(w->close());
}

std::string error_of(const std::string& path, long long* frame = nullptr, long long* offset = nullptr) {
  try {
    testutil::read_all(path, "dcd");
  } catch (const ParseError& e) {
    if (frame) *frame = e.frame();
    if (offset) *offset = e.byte_offset();
    return e.what();
  } catch (const std::exception& e) {
    return std::string("NOT A PARSE ERROR ") + e.what();
  }
  return "NO ERROR";
}

void test_bad_files() {
  DcdSpec s;
  auto bytes = build(s);
  long long frame = -9, offset = -9;
  // Truncated in frame 2.
  const std::string cut = testutil::temp_path("cut.dcd");
  testutil::spit(cut, std::vector<unsigned char>(bytes.begin(), bytes.end() - 20));
  std::string msg = error_of(cut, &frame, &offset);
  CHECK(frame == 2);
  CHECK(msg.find("truncated") != std::string::npos && msg.find("cut.dcd") != std::string::npos);
  const long long header = 4 + 84 + 4 + 4 + 4 + 80 + 4 + 12;
  const long long frame_bytes = 56 + 3 * (8 + 16);
  CHECK(offset == header + 2 * frame_bytes);
  // Not a DCD.
  const std::string text = testutil::temp_path("text.dcd");
  testutil::spit(text, std::vector<unsigned char>(100, 'x'));
  msg = error_of(text, &frame, &offset);
  CHECK(msg.find("not a DCD") != std::string::npos && offset == 0);
  // Corrupt record marker in frame 1.
  auto bad = bytes;
  bad[header + frame_bytes + 56] = 99;
  const std::string marker = testutil::temp_path("marker.dcd");
  testutil::spit(marker, bad);
  msg = error_of(marker, &frame, &offset);
  CHECK(frame == 1 && offset == header + frame_bytes + 56);
  // Absurd atom count: error, no huge allocation.
  bad = bytes;
  const std::size_t natoms_at = 4 + 84 + 4 + 4 + 4 + 80 + 4 + 4;
  bad[natoms_at] = 0xff, bad[natoms_at + 1] = 0xff, bad[natoms_at + 2] = 0xff, bad[natoms_at + 3] = 0x3f;
  const std::string absurd = testutil::temp_path("absurd.dcd");
  testutil::spit(absurd, bad);
  msg = error_of(absurd, &frame);
  CHECK(msg.find("truncated") != std::string::npos && frame == 0);
  // Fixed atoms: a clear refusal.
  DcdSpec fixed = s;
  fixed.namnf = 2;
  const std::string fixed_path = testutil::temp_path("fixed.dcd");
  testutil::spit(fixed_path, build(fixed));
  msg = error_of(fixed_path);
  CHECK(msg.find("fixed atoms") != std::string::npos);
  // Empty file.
  const std::string empty = testutil::temp_path("empty.dcd");
  testutil::spit(empty, {});
  CHECK(error_of(empty).find("too short") != std::string::npos);
}

}  // namespace

int main() {
  test_charmm_flavours();
  test_lammps_flavour();
  test_writer_round_trip();
  test_bad_files();
  return check::summary("test_dcd");
}
