#include "descriptors/gather.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ionfield::detail {

void CellCandidates::build(const CellGrid& g, const int32_t* slot_species, int nspecies, int cell, double rmax) {
  int cx, cy, cz;
  g.coords(cell, cx, cy, cz);
  const double *X = g.x.data(), *Y = g.y.data(), *Z = g.z.data();
  // Bounding box of the cell's own atoms: an image farther than rmax from it is farther than rmax
  // from each of them (also in a triclinic cell), so it is left out. The slack covers rounding.
  const int first = g.cell_start[cell], last = g.cell_start[cell + 1];
  double blo[3] = {X[first], Y[first], Z[first]}, bhi[3] = {X[first], Y[first], Z[first]};
  for (int b = first + 1; b < last; ++b) {
    const double p[3] = {X[b], Y[b], Z[b]};
    for (int k = 0; k < 3; ++k) blo[k] = std::min(blo[k], p[k]), bhi[k] = std::max(bhi[k], p[k]);
  }
  double scale = rmax;
  for (int k = 0; k < 3; ++k) scale = std::max({scale, std::fabs(blo[k]), std::fabs(bhi[k])});
  const double reach = rmax + 1e-9 * scale, reach2 = reach * reach;
  const std::size_t noff = g.stencil.size() / 3;
  std::size_t n = 0;
  int own_at = -1;
  own_first_slot = first;
  for (std::size_t t = 0; t < noff; ++t) {
    int fx, fy, fz, sx, sy, sz;
    if (!fold(cx + g.stencil[3 * t], g.n[0], g.periodic[0], fx, sx) || !fold(cy + g.stencil[3 * t + 1], g.n[1], g.periodic[1], fy, sy) ||
        !fold(cz + g.stencil[3 * t + 2], g.n[2], g.periodic[2], fz, sz))
      continue;
    const double ox = sx * g.h[0][0] + sy * g.h[1][0] + sz * g.h[2][0];
    const double oy = sx * g.h[0][1] + sy * g.h[1][1] + sz * g.h[2][1];
    const double oz = sx * g.h[0][2] + sy * g.h[1][2] + sz * g.h[2][2];
    const int c = g.index(fx, fy, fz);
    // The cell itself (zero shift) is kept whole, its atoms lie in the box: own[] maps its slots.
    if (c == cell && sx == 0 && sy == 0 && sz == 0) own_at = static_cast<int>(n);
    const int lo = g.cell_start[c], hi = g.cell_start[c + 1];
    if (n + (hi - lo) > tx.size()) {
      const std::size_t cap = 2 * (n + hi - lo) + 256;
      tx.resize(cap), ty.resize(cap), tz.resize(cap), ts.resize(cap);
    }
    double *px = tx.data(), *py = ty.data(), *pz = tz.data();
    int32_t* ps = ts.data();
    for (int b = lo; b < hi; ++b) {
      const double x = X[b] + ox, y = Y[b] + oy, z = Z[b] + oz;
      const double dx = std::max(0.0, std::max(blo[0] - x, x - bhi[0]));
      const double dy = std::max(0.0, std::max(blo[1] - y, y - bhi[1]));
      const double dz = std::max(0.0, std::max(blo[2] - z, z - bhi[2]));
      px[n] = x;
      py[n] = y;
      pz[n] = z;
      ps[n] = slot_species[b];
      n += dx * dx + dy * dy + dz * dz < reach2;
    }
  }
  // Stable counting sort by species.
  begin.assign(nspecies + 1, 0);
  for (std::size_t k = 0; k < n; ++k) ++begin[ts[k] + 1];
  for (int s = 0; s < nspecies; ++s) begin[s + 1] += begin[s];
  if (x.size() < n) x.resize(n), y.resize(n), z.resize(n);
  const int own_n = last - first;
  own.assign(own_n, -1);
  fill.assign(begin.begin(), begin.end() - 1);
  int32_t* f = fill.data();
  for (std::size_t k = 0; k < n; ++k) {
    const int d = f[ts[k]]++;
    x[d] = tx[k];
    y[d] = ty[k];
    z[d] = tz[k];
    if (own_at >= 0 && k >= static_cast<std::size_t>(own_at) && k < static_cast<std::size_t>(own_at + own_n)) own[k - own_at] = d;
  }
}

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__CUDACC__)
#define IONFIELD_AVX2_COMPACT 1
namespace {
// For each 4-bit mask, the byte shuffle that packs the selected int32 lanes to the front.
struct PackTable {
  alignas(16) uint8_t b[16][16] = {};
  constexpr PackTable() {
    for (int m = 0; m < 16; ++m) {
      int o = 0;
      for (int lane = 0; lane < 4; ++lane)
        if (m >> lane & 1) {
          for (int k = 0; k < 4; ++k) b[m][4 * o + k] = static_cast<uint8_t>(4 * lane + k);
          ++o;
        }
      for (; o < 4; ++o)
        for (int k = 0; k < 4; ++k) b[m][4 * o + k] = 0x80;
    }
  }
};
constexpr PackTable kPack{};

bool have_avx2() {
  static const bool yes = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
  return yes;
}

// Four candidates a step: compare, movemask, pack the indices with one byte shuffle, store four
// (only the first popcount count). GCC does not vectorise the scalar compaction loop.
__attribute__((target("avx2"))) int compact_below_avx2(const double* r2, int lo, int hi, double lim, int32_t* out) {
  const __m256d L = _mm256_set1_pd(lim);
  __m128i idx = _mm_setr_epi32(lo, lo + 1, lo + 2, lo + 3);
  const __m128i four = _mm_set1_epi32(4);
  int n = 0, k = lo;
  for (; k + 4 <= hi; k += 4) {
    const int m = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(r2 + k), L, _CMP_LT_OQ));
    const __m128i packed = _mm_shuffle_epi8(idx, _mm_load_si128(reinterpret_cast<const __m128i*>(kPack.b[m])));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + n), packed);
    n += __builtin_popcount(m);
    idx = _mm_add_epi32(idx, four);
  }
  for (; k < hi; ++k) {
    out[n] = k;
    n += r2[k] < lim;
  }
  return n;
}
}  // namespace
#endif

// out[0..n) = the k in [lo, hi) with r2[k] < lim, in order; returns n. out may be written up to
// hi - lo entries (whatever n is).
IONFIELD_HD int compact_below(const double* r2, int lo, int hi, double lim, int32_t* out) {
#if defined(IONFIELD_AVX2_COMPACT)
  if (have_avx2()) return compact_below_avx2(r2, lo, hi, lim, out);
#endif
  int n = 0;
  for (int k = lo; k < hi; ++k) {
    out[n] = k;
    n += r2[k] < lim;
  }
  return n;
}

IONFIELD_CPU_CLONES
CentreNeighbours gather_centre(const CellGrid& g, const CellCandidates& cand, int nspecies, int a, double rmax,
                               double rinner, GatherBuffers& buf) {
  const double rc2 = rmax * rmax, rin2 = rinner * rinner;
  const double xi = g.x[a], yi = g.y[a], zi = g.z[a];
  const int total = cand.begin[nspecies];
  if (buf.r2.size() < static_cast<std::size_t>(total)) {
    buf.r2.resize(total);
    buf.kept.resize(total);
    buf.idx_in.resize(total);
    buf.idx_out.resize(total);
  }
  double* r2 = buf.r2.data();
  const double *X = cand.x.data(), *Y = cand.y.data(), *Z = cand.z.data();
#pragma omp simd
  for (int k = 0; k < total; ++k) {
    const double dx = X[k] - xi, dy = Y[k] - yi, dz = Z[k] - zi;
    r2[k] = dx * dx + dy * dy + dz * dz;
  }
  const int self = cand.own[a - cand.own_first_slot];
  if (self >= 0) r2[self] = std::numeric_limits<double>::infinity();  // not its own neighbour
  // Per species: the indices within rmax (branch-free compaction; each species' list starts at
  // its own candidates' offset, so they never overlap), then those split into inner and outer.
  buf.n_in.resize(nspecies);
  buf.n_out.resize(nspecies);
  int32_t* kept = buf.kept.data();
  int32_t* ii = buf.idx_in.data();
  int32_t* io = buf.idx_out.data();
  int n_inner = 0, n = 0;
  for (int s = 0; s < nspecies; ++s) {
    const int lo = cand.begin[s], hi = cand.begin[s + 1];
    const int nk = lo + compact_below(r2, lo, hi, rc2, kept + lo);
    int ni = lo, no = lo;
    for (int t = lo; t < nk; ++t) {
      const int k = kept[t];
      ii[ni] = k;
      io[no] = k;
      const bool in = r2[k] < rin2;
      ni += in;
      no += !in;
    }
    buf.n_in[s] = ni - lo;
    buf.n_out[s] = no - lo;
    n_inner += ni - lo;
    n += nk - lo;
  }
  buf.seg.resize(4 * nspecies);
  if (buf.r.size() < static_cast<std::size_t>(n)) {
    const std::size_t cap = n + 64;
    buf.r.resize(cap), buf.vx.resize(cap), buf.vy.resize(cap), buf.vz.resize(cap);
  }
  double *R = buf.r.data(), *VX = buf.vx.data(), *VY = buf.vy.data(), *VZ = buf.vz.data();
  int pi = 0, po = n_inner;
  for (int s = 0; s < nspecies; ++s) {
    const int lo = cand.begin[s];
    const int32_t* li = ii + lo;
    const int ni = buf.n_in[s];
#pragma omp simd
    for (int k = 0; k < ni; ++k) {
      const int c = li[k];
      R[pi + k] = std::sqrt(r2[c]);
      VX[pi + k] = X[c] - xi;
      VY[pi + k] = Y[c] - yi;
      VZ[pi + k] = Z[c] - zi;
    }
    // Outer neighbours: distances only (the vectors are read for inner ones alone).
    const int32_t* lo_ = io + lo;
    const int no = buf.n_out[s];
#pragma omp simd
    for (int k = 0; k < no; ++k) R[po + k] = std::sqrt(r2[lo_[k]]);
    buf.seg[4 * s] = pi;
    buf.seg[4 * s + 1] = pi + ni;
    buf.seg[4 * s + 2] = po;
    buf.seg[4 * s + 3] = po + no;
    pi += ni;
    po += no;
  }
  CentreNeighbours nb;
  nb.n = n;
  nb.n_inner = n_inner;
  nb.r = R;
  nb.vx = VX;
  nb.vy = VY;
  nb.vz = VZ;
  nb.seg = buf.seg.data();
  return nb;
}

}  // namespace ionfield::detail
