// Unwrapper against a random walk whose continuous path is known: wrap it into a triclinic cell
// (recording image flags), then unwrap it from the image flags and from minimum-image continuity;
// both must give back the walk. A jump of 0.45 cell must be reported.
#include <cmath>
#include <random>

#include "check.hpp"
#include "ionfield/unwrap.hpp"

using namespace ionfield;

namespace {

Frame wrapped_frame(const Box& box, const std::vector<double>& truth, bool with_images) {
  Frame f;
  f.resize(truth.size() / 3);
  f.has_box = true;
  f.box = box;
  f.coordinates = CoordinateKind::Wrapped;
  if (with_images) f.images.resize(truth.size());
  for (std::size_t i = 0; i < f.natoms; ++i) {
    Vec3 s = box.to_fractional({truth[3 * i], truth[3 * i + 1], truth[3 * i + 2]});
    int image[3];
    for (int k = 0; k < 3; ++k) {
      image[k] = static_cast<int>(std::floor(s[k]));
      s[k] -= image[k];
    }
    const Vec3 r = box.to_cartesian(s);
    for (int k = 0; k < 3; ++k) {
      f.positions[3 * i + k] = r[k];
      if (with_images) f.images[3 * i + k] = image[k];
    }
  }
  return f;
}

}  // namespace

int main() {
  Box box = Box::from_lengths_angles(12, 14, 13, 80, 100, 70);
  box.origin = {-3, 1, 2};
  std::mt19937 rng(7);
  std::normal_distribution<double> step(0.0, 0.9);  // Å; heights are > 10 Å, so moves stay < 0.4 cell
  const std::size_t n = 40, frames = 300;
  std::vector<double> truth(3 * n);
  for (double& x : truth) x = std::uniform_real_distribution<double>(-5, 15)(rng);

  Unwrapper from_images, from_continuity;
  double worst_images = 0, worst_continuity = 0, travelled = 0;
  const std::vector<double> truth0 = truth;
  std::vector<double> continuity0;  // minimum image starts from the wrapped frame 0
  for (std::size_t t = 0; t < frames; ++t) {
    if (t > 0)
      for (double& x : truth) x += step(rng);
    Frame a = wrapped_frame(box, truth, true), b = wrapped_frame(box, truth, false);
    from_images.apply(a);
    from_continuity.apply(b);
    CHECK(a.coordinates == CoordinateKind::Unwrapped && a.images.empty());
    if (t == 0) continuity0 = b.positions;
    for (std::size_t i = 0; i < 3 * n; ++i) {
      worst_images = std::max(worst_images, std::fabs(a.positions[i] - truth[i]));
      // Continuity cannot know frame 0's images: compare displacements from frame 0.
      const double moved_truth = truth[i] - truth0[i];
      worst_continuity = std::max(worst_continuity, std::fabs(b.positions[i] - continuity0[i] - moved_truth));
      travelled = std::max(travelled, std::fabs(moved_truth));
    }
  }
  CHECK_NEAR(worst_images, 0.0, 1e-9);
  CHECK_NEAR(worst_continuity, 0.0, 1e-9);
  CHECK(travelled > 20);  // atoms crossed the cell several times (else the test proves little)
  CHECK(from_images.method() == UnwrapMethod::ImageFlags);
  CHECK(from_continuity.method() == UnwrapMethod::MinimumImage);
  CHECK(from_images.suspicious_moves() == 0);
  CHECK(from_continuity.suspicious_moves() == 0);

  // A jump of 0.45 of the first cell vector between frames 1 and 2 is reported, at frame 2.
  Unwrapper jumpy;
  std::vector<double> walk{1, 2, 3};
  for (int t = 0; t < 4; ++t) {
    if (t == 2) {
      const Vec3 a = box.h[0];
      for (int k = 0; k < 3; ++k) walk[k] += 0.45 * a[k];
    }
    Frame f = wrapped_frame(box, walk, false);
    jumpy.apply(f);
  }
  CHECK(jumpy.suspicious_moves() == 1);
  CHECK(jumpy.first_suspicious_frame() == 2);

  // Continuous coordinates in a file that does not say (XYZ, DCD, XTC): minimum image leaves them
  // alone while they fit in a cell, and once they spread over more than 1.5 cells they are kept.
  {
    Unwrapper unknown;
    std::vector<double> walk{0.5, 0.5, 0.5, 11, 11, 11};  // second atom drifts out along +x
    double worst = 0;
    for (int t = 0; t < 20; ++t) {
      walk[3] += 2.0;
      walk[0] -= 1.0;
      Frame f = wrapped_frame(box, walk, false);
      f.positions = walk;
      f.coordinates = CoordinateKind::Unknown;
      unknown.apply(f);
      for (int i = 0; i < 6; ++i) worst = std::max(worst, std::fabs(f.positions[i] - walk[i]));
    }
    CHECK_NEAR(worst, 0.0, 1e-9);
    CHECK(unknown.method() == UnwrapMethod::AlreadyUnwrapped);
    CHECK(unknown.suspicious_moves() == 0);
  }

  // Coordinates the file marks unwrapped are kept as they are.
  Unwrapper keep;
  Frame u = wrapped_frame(box, {30, 40, 50}, false);
  u.positions = {30, 40, 50};
  u.coordinates = CoordinateKind::Unwrapped;
  keep.apply(u);
  CHECK(keep.method() == UnwrapMethod::AlreadyUnwrapped);
  CHECK_NEAR(u.positions[0], 30.0, 0.0);
  return check::summary("test_traj_unwrap");
}
