#include "neighbors/cell_grid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ionfield::detail {

void CellGrid::build(const double* positions, std::size_t natoms, const Box& box, double cutoff,
                     const uint8_t* include, double cell_fraction) {
  if (!(cutoff > 0) || !std::isfinite(cutoff)) throw std::invalid_argument("neighbour cutoff must be a positive number");
  for (int k = 0; k < 3; ++k) periodic[k] = box.periodic[k];
  const bool any_periodic = periodic[0] || periodic[1] || periodic[2];
  Box b = box;
  if (!any_periodic) {
    b.h = {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
    b.origin = {0, 0, 0};
  } else if (!(b.volume() > 0)) {
    throw std::invalid_argument("the periodic box has zero volume");
  }
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) h[i][k] = b.h[i][k];
  const Mat3 inv = b.inverse();
  const Vec3 height = b.heights();

  // Fractional coordinates; periodic directions wrapped to [0,1), open ones spanned by the atoms.
  std::vector<double> frac(3 * natoms);
  std::vector<int32_t> w(3 * natoms, 0);
  double lo_k[3] = {0, 0, 0}, span_k[3] = {1, 1, 1};
  for (int k = 0; k < 3; ++k)
    if (!periodic[k]) lo_k[k] = INFINITY, span_k[k] = -INFINITY;
  std::size_t count = 0;
  for (std::size_t i = 0; i < natoms; ++i) {
    if (include && !include[i]) continue;
    ++count;
    const double d[3] = {positions[3 * i] - b.origin[0], positions[3 * i + 1] - b.origin[1], positions[3 * i + 2] - b.origin[2]};
    for (int k = 0; k < 3; ++k) {
      double s = d[0] * inv[0][k] + d[1] * inv[1][k] + d[2] * inv[2][k];
      if (!std::isfinite(s)) throw std::invalid_argument("atom " + std::to_string(i) + " has a non-finite position");
      if (periodic[k]) {
        const double f = std::floor(s);
        if (std::fabs(f) > 2e9) throw std::invalid_argument("atom " + std::to_string(i) + " lies more than 2e9 boxes away");
        w[3 * i + k] = static_cast<int32_t>(f);
        s -= f;
        if (s >= 1.0) s = 0.0;  // rounding of tiny negatives
      } else {
        lo_k[k] = std::min(lo_k[k], s);
        span_k[k] = std::max(span_k[k], s);  // max for now
      }
      frac[3 * i + k] = s;
    }
  }
  for (int k = 0; k < 3; ++k)
    if (!periodic[k]) span_k[k] = count ? span_k[k] - lo_k[k] : 0.0;

  // Cells about cell_fraction * cutoff wide, at most ~2 per atom (dilute systems, small cutoffs).
  double width = cutoff * cell_fraction;
  const double cap = 2.0 * static_cast<double>(count) + 27.0;
  for (;;) {
    double total = 1;
    for (int k = 0; k < 3; ++k) {
      const double extent = span_k[k] * height[k];
      n[k] = std::max(1, static_cast<int>(std::min(1e6, std::floor(extent / width))));
      total *= n[k];
    }
    if (total <= cap) break;
    width *= 1.25;
  }
  for (int k = 0; k < 3; ++k) {
    const double extent = span_k[k] * height[k];
    if (periodic[k]) {
      m[k] = static_cast<int>(std::ceil(cutoff * n[k] / height[k] - 1e-12));
    } else {
      m[k] = extent > 0 ? std::min(n[k] - 1, static_cast<int>(std::ceil(cutoff * n[k] / extent - 1e-12))) : 0;
    }
    m[k] = std::max(m[k], periodic[k] ? 1 : 0);
    if (!periodic[k] && n[k] > 1) m[k] = std::max(m[k], 1);
  }

  // Stencil with pruning. Cells d apart along k (grid units) leave a gap of g_k = max(0,|d_k|-1)
  // cells, i.e. fractional distance g_k/n_k. Orthorhombic: the distance is at least
  // sqrt(sum (g_k w_k)^2) (w_k = cell width); triclinic: at least max_k g_k H_k / n_k.
  ortho = !any_periodic || b.is_orthorhombic(1e-12);
  double width_k[3];
  for (int k = 0; k < 3; ++k) width_k[k] = (periodic[k] ? height[k] : span_k[k] * height[k]) / n[k];
  for (int k = 0; k < 3; ++k) {
    origin[k] = b.origin[k];
    lo[k] = periodic[k] ? 0.0 : lo_k[k];
    span[k] = periodic[k] ? 1.0 : span_k[k];
    this->width[k] = width_k[k];
    for (int q = 0; q < 3; ++q) this->inv[k][q] = inv[k][q];
  }
  stencil.clear();
  for (int dz = -m[2]; dz <= m[2]; ++dz)
    for (int dy = -m[1]; dy <= m[1]; ++dy)
      for (int dx = -m[0]; dx <= m[0]; ++dx) {
        const int d[3] = {dx, dy, dz};
        double bound2 = 0, bound = 0;
        for (int k = 0; k < 3; ++k) {
          const double gap = std::max(0, std::abs(d[k]) - 1) * width_k[k];
          bound2 += gap * gap;
          bound = std::max(bound, gap);
        }
        const double lower = ortho ? std::sqrt(bound2) : bound;
        if (lower >= cutoff * (1 + 1e-12)) continue;
        stencil.insert(stencil.end(), {dx, dy, dz});
      }

  // Counting sort by cell.
  const int nc = ncells();
  cell_of.assign(natoms, -1);
  slot_of.assign(natoms, -1);
  cell_start.assign(static_cast<std::size_t>(nc) + 1, 0);
  for (std::size_t i = 0; i < natoms; ++i) {
    if (include && !include[i]) continue;
    int c[3];
    for (int k = 0; k < 3; ++k) {
      const double u = periodic[k] ? frac[3 * i + k] : (span_k[k] > 0 ? (frac[3 * i + k] - lo_k[k]) / span_k[k] : 0.0);
      c[k] = std::min(n[k] - 1, std::max(0, static_cast<int>(u * n[k])));
    }
    cell_of[i] = index(c[0], c[1], c[2]);
    ++cell_start[cell_of[i] + 1];
  }
  for (int c = 0; c < nc; ++c) cell_start[c + 1] += cell_start[c];
  std::vector<int32_t> cursor(cell_start.begin(), cell_start.end() - 1);
  atom.assign(count, 0);
  x.assign(count, 0);
  y.assign(count, 0);
  z.assign(count, 0);
  wrap.assign(3 * count, 0);
  for (std::size_t i = 0; i < natoms; ++i) {
    if (cell_of[i] < 0) continue;
    const int slot = cursor[cell_of[i]]++;
    atom[slot] = static_cast<int32_t>(i);
    slot_of[i] = slot;
    const int32_t* W = &w[3 * i];
    // r_w = r - W.h: Cartesian position of the wrapped atom (exact image translation).
    x[slot] = positions[3 * i] - (W[0] * h[0][0] + W[1] * h[1][0] + W[2] * h[2][0]);
    y[slot] = positions[3 * i + 1] - (W[0] * h[0][1] + W[1] * h[1][1] + W[2] * h[2][1]);
    z[slot] = positions[3 * i + 2] - (W[0] * h[0][2] + W[1] * h[1][2] + W[2] * h[2][2]);
    for (int k = 0; k < 3; ++k) wrap[3 * slot + k] = W[k];
  }
}

}  // namespace ionfield::detail
