// Transport accumulator vs an independent brute-force all-origins computation, plus the
// properties the estimators rely on (batch and thread invariance, blocks, merging, COM removal).
#include <cmath>
#include <random>
#include <vector>

#include "check.hpp"
#include "ionfield/transport.hpp"

using namespace ionfield;

namespace {

struct Walk {
  std::size_t natoms, frames;
  std::vector<double> xyz;  // frames * natoms * 3
};

Walk random_walk(std::size_t natoms, std::size_t frames, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  Walk w{natoms, frames, std::vector<double>(frames * natoms * 3)};
  for (std::size_t i = 0; i < natoms * 3; ++i) w.xyz[i] = 10 * g(rng);
  for (std::size_t f = 1; f < frames; ++f)
    for (std::size_t i = 0; i < natoms * 3; ++i) w.xyz[f * natoms * 3 + i] = w.xyz[(f - 1) * natoms * 3 + i] + g(rng);
  return w;
}

// Straightforward sums over origins t0 = 0, s, 2s, ... with t0 + lag < frames (s: origin spacing).
struct Brute {
  double origins = 0, charge = 0;
  std::vector<double> msd, cross;
};

Brute brute_force(const Walk& w, const std::vector<int>& species, std::size_t ns, const std::vector<double>& q,
                  long long lag, long long spacing) {
  Brute b;
  b.msd.assign(ns, 0.0);
  b.cross.assign(ns * ns, 0.0);
  for (long long t0 = 0; t0 + lag < static_cast<long long>(w.frames); t0 += spacing) {
    std::vector<double> R(3 * ns, 0.0);
    double J[3] = {0, 0, 0};
    for (std::size_t i = 0; i < w.natoms; ++i) {
      if (species[i] < 0) continue;
      for (int d = 0; d < 3; ++d) {
        const double dx = w.xyz[((t0 + lag) * w.natoms + i) * 3 + d] - w.xyz[(t0 * w.natoms + i) * 3 + d];
        b.msd[species[i]] += dx * dx;
        R[3 * species[i] + d] += dx;
        J[d] += q[i] * dx;
      }
    }
    for (std::size_t a = 0; a < ns; ++a)
      for (std::size_t c = 0; c < ns; ++c)
        b.cross[a * ns + c] += R[3 * a] * R[3 * c] + R[3 * a + 1] * R[3 * c + 1] + R[3 * a + 2] * R[3 * c + 2];
    b.charge += J[0] * J[0] + J[1] * J[1] + J[2] * J[2];
    b.origins += 1;
  }
  return b;
}

struct Totals {
  std::vector<double> origins, charge, msd, cross;
};

Totals totals(const TransportPartial& p) {
  const std::size_t nl = p.lags.size(), ns = p.nspecies, np = p.npairs();
  Totals t{std::vector<double>(nl), std::vector<double>(nl), std::vector<double>(nl * ns), std::vector<double>(nl * np)};
  for (std::size_t b = 0; b < p.nblocks(); ++b) {
    for (std::size_t l = 0; l < nl; ++l) {
      t.origins[l] += p.origins[b * nl + l];
      t.charge[l] += p.charge[b * nl + l];
      for (std::size_t s = 0; s < ns; ++s) t.msd[l * ns + s] += p.msd[(b * nl + l) * ns + s];
      for (std::size_t q = 0; q < np; ++q) t.cross[l * np + q] += p.cross[(b * nl + l) * np + q];
    }
  }
  return t;
}

bool close(double a, double b, double rel = 1e-11) { return std::fabs(a - b) <= rel * (1.0 + std::fabs(a) + std::fabs(b)); }

void compare_with_brute_force(const Walk& w, const std::vector<int>& species, std::size_t ns, const std::vector<double>& q,
                              const TransportOptions& o, const char* what) {
  TransportAccumulator acc(species, ns, q, {}, o);
  acc.add_frames(w.xyz.data(), nullptr, w.frames);
  const TransportPartial p = acc.partial();
  const Totals t = totals(p);
  const std::size_t np = p.npairs();
  const long long p0 = static_cast<long long>(o.points_per_level);
  int bad = 0;
  for (std::size_t l = 0; l < p.lags.size(); ++l) {
    // Origin spacing of the level that owns this lag: 1 up to p, then m^k.
    long long spacing = 1;
    while (p.lags[l] > p0 * spacing) spacing *= static_cast<long long>(o.decimation);
    const Brute b = brute_force(w, species, ns, q, p.lags[l], spacing);
    bool ok = close(t.origins[l], b.origins) && close(t.charge[l], b.charge);
    for (std::size_t a = 0; a < ns; ++a) {
      ok = ok && close(t.msd[l * ns + a], b.msd[a]);
      for (std::size_t c = a; c < ns; ++c) ok = ok && close(t.cross[l * np + species_pair_index(a, c, ns)], b.cross[a * ns + c]);
    }
    if (!ok && bad++ < 5) std::fprintf(stderr, "%s: lag %lld differs from brute force\n", what, p.lags[l]);
  }
  CHECK(bad == 0);
  CHECK(!p.lags.empty());
}

}  // namespace

int main() {
  // Three species (one left out entirely, one atom excluded) with non-trivial charges.
  const std::size_t natoms = 13, frames = 300;
  const Walk w = random_walk(natoms, frames, 7);
  std::vector<int> species = {0, 1, 2, 0, 1, 2, 0, 1, -1, 0, 1, 2, 2};
  std::vector<double> q = {1, -1, 2, 1, -1, 2, 1, -1, 5, 1, -1, 2, 2};

  // 1. levels = 1: the exact all-origins ring buffer for lags 1..p.
  {
    TransportOptions o;
    o.points_per_level = 64;
    o.max_levels = 1;
    compare_with_brute_force(w, species, 3, q, o, "ring buffer");
    TransportAccumulator acc(species, 3, q, {}, o);
    acc.add_frames(w.xyz.data(), nullptr, frames);
    CHECK(acc.partial().lags.size() == 64);
    CHECK(acc.partial().lags.back() == 64);
  }
  // 2. Multiple levels: every lag equals brute force over its level's origins.
  {
    TransportOptions o;
    o.points_per_level = 8;
    o.decimation = 2;
    compare_with_brute_force(w, species, 3, q, o, "multiple tau m=2");
    o.decimation = 4;
    compare_with_brute_force(w, species, 3, q, o, "multiple tau m=4");
    o.decimation = 2;
    o.max_lag = 50;
    compare_with_brute_force(w, species, 3, q, o, "multiple tau, max lag 50");
    TransportAccumulator acc(species, 3, q, {}, o);
    acc.add_frames(w.xyz.data(), nullptr, frames);
    CHECK(acc.partial().lags.back() <= 50);
  }
  // 3. Batching does not change a single bit; threads change only the order of additions (the
  //    sums of thread slices); blocks stay within target..2*target; memory grows with log(frames).
  {
    TransportOptions o;
    o.points_per_level = 16;
    o.target_blocks = 4;
    o.threads = 1;
    TransportAccumulator one(species, 3, q, {}, o);
    one.add_frames(w.xyz.data(), nullptr, frames);
    TransportAccumulator batched(species, 3, q, {}, o);
    for (std::size_t f = 0; f < frames; f += 7)
      batched.add_frames(w.xyz.data() + f * natoms * 3, nullptr, std::min<std::size_t>(7, frames - f));
    const TransportPartial a = one.partial(), b = batched.partial();
    CHECK(a.msd == b.msd && a.cross == b.cross && a.charge == b.charge && a.origins == b.origins);
    long long covered = 0;
    for (long long f : a.block_frames) covered += f;
    CHECK(covered == static_cast<long long>(frames));
    CHECK(a.nblocks() >= 4 && a.nblocks() <= 8);
    // Many atoms, so that the parallel path runs: 1 and 3 threads agree to round-off, and both
    // agree with brute force.
    const std::size_t big = 3000, bigframes = 150;
    const Walk wb = random_walk(big, bigframes, 13);
    std::vector<int> sb(big);
    std::vector<double> qb(big);
    for (std::size_t i = 0; i < big; ++i) {
      sb[i] = static_cast<int>(i % 3);
      qb[i] = sb[i] == 0 ? 1.0 : sb[i] == 1 ? -1.0 : 2.0;
    }
    o.threads = 1;
    TransportAccumulator t1(sb, 3, qb, {}, o);
    t1.add_frames(wb.xyz.data(), nullptr, bigframes);
    o.threads = 3;
    TransportAccumulator t3(sb, 3, qb, {}, o);
    for (std::size_t f = 0; f < bigframes; f += 50) t3.add_frames(wb.xyz.data() + f * big * 3, nullptr, 50);
    const Totals x1 = totals(t1.partial()), x3 = totals(t3.partial());
    bool same = x1.origins == x3.origins;
    for (std::size_t k = 0; k < x1.msd.size(); ++k) same = same && close(x1.msd[k], x3.msd[k], 1e-12);
    for (std::size_t k = 0; k < x1.cross.size(); ++k) same = same && close(x1.cross[k], x3.cross[k], 1e-12);
    for (std::size_t k = 0; k < x1.charge.size(); ++k) same = same && close(x1.charge[k], x3.charge[k], 1e-12);
    CHECK(same);
    compare_with_brute_force(wb, sb, 3, qb, o, "3 threads, 3000 atoms");
    // Memory: levels grow with log(frames) only; a 4x longer run adds at most two levels.
    const Walk longer = random_walk(natoms, 4 * frames, 9);
    o.threads = 1;
    TransportAccumulator acc_long(species, 3, q, {}, o);
    acc_long.add_frames(longer.xyz.data(), nullptr, longer.frames);
    // Growth: two more ring levels (17 slots x 12 atoms x 24 bytes each) and a few more per-chunk
    // lag slots (frames that are powers of two complete lags on every level) — not 4x.
    std::printf("memory: %zu bytes after %zu frames, %zu after %zu\n", one.memory_bytes(), frames, acc_long.memory_bytes(), longer.frames);
    CHECK(acc_long.memory_bytes() < one.memory_bytes() * 115 / 100);
  }
  // 4. Merging two partials adds their sums exactly; the shorter lag grid is padded.
  {
    TransportOptions o;
    o.points_per_level = 8;
    const Walk w2 = random_walk(natoms, 100, 11);
    TransportAccumulator a(species, 3, q, {}, o), b(species, 3, q, {}, o);
    a.add_frames(w.xyz.data(), nullptr, frames);
    b.add_frames(w2.xyz.data(), nullptr, w2.frames);
    TransportPartial pa = a.partial();
    const TransportPartial pb = b.partial();
    const Totals ta = totals(pa), tb = totals(pb);
    TransportPartial ab = pa;
    ab.merge(pb);
    TransportPartial ba = pb;
    ba.merge(pa);
    const Totals tab = totals(ab), tba = totals(ba);
    CHECK(ab.lags == pa.lags && ba.lags == pa.lags);
    CHECK(ab.nblocks() == pa.nblocks() + pb.nblocks());
    CHECK(ab.frames == static_cast<long long>(frames + 100));
    bool ok = true;
    for (std::size_t l = 0; l < pa.lags.size(); ++l) {
      const bool in_b = l < pb.lags.size();
      ok = ok && tab.origins[l] == ta.origins[l] + (in_b ? tb.origins[l] : 0.0);
      ok = ok && close(tab.charge[l], ta.charge[l] + (in_b ? tb.charge[l] : 0.0), 1e-15);
      ok = ok && close(tab.charge[l], tba.charge[l], 1e-15);
      for (std::size_t s = 0; s < 3; ++s) ok = ok && close(tab.msd[l * 3 + s], tba.msd[l * 3 + s], 1e-15);
    }
    CHECK(ok);
    TransportAccumulator other(std::vector<int>(natoms, 0), 1, q, {}, o);
    CHECK_THROWS(ab.merge(other.partial()));
  }
  // 5. Centre-of-mass removal: a common drift added to every atom leaves the results unchanged.
  {
    TransportOptions o;
    o.points_per_level = 8;
    o.remove_com = true;
    Walk drifted = w;
    for (std::size_t f = 0; f < frames; ++f)
      for (std::size_t i = 0; i < natoms; ++i) {
        drifted.xyz[(f * natoms + i) * 3] += 0.7 * static_cast<double>(f);
        drifted.xyz[(f * natoms + i) * 3 + 2] -= 0.01 * static_cast<double>(f * f);
      }
    std::vector<double> weights(natoms, 1.0);
    weights[0] = 3.0;
    TransportAccumulator a(species, 3, q, weights, o), b(species, 3, q, weights, o);
    a.add_frames(w.xyz.data(), nullptr, frames);
    b.add_frames(drifted.xyz.data(), nullptr, frames);
    const Totals ta = totals(a.partial()), tb = totals(b.partial());
    bool ok = true;
    for (std::size_t k = 0; k < ta.msd.size(); ++k) ok = ok && close(ta.msd[k], tb.msd[k], 1e-9);
    for (std::size_t k = 0; k < ta.charge.size(); ++k) ok = ok && close(ta.charge[k], tb.charge[k], 1e-9);
    CHECK(ok);
    // ...and the weighted centre of the selection does not move: sum_a w dR_a = 0 for equal weights.
    o.remove_com = true;
    TransportAccumulator c(std::vector<int>(natoms, 0), 1, q, {}, o);
    c.add_frames(drifted.xyz.data(), nullptr, frames);
    const Totals tc = totals(c.partial());
    double worst = 0;
    for (double v : tc.cross) worst = std::max(worst, std::fabs(v));
    CHECK(worst < 1e-12 * frames * frames);
  }
  // 5b. Shards: each owns whole blocks of the single run (fixed block length), reads the frames its
  //     lags reach back to for history only; merged in order they give the single run's blocks,
  //     block by block, to round-off (the single run sums a block in another order where it folded).
  for (long long max_lag : {-1LL, 40LL}) {
    TransportOptions o;
    o.points_per_level = 8;
    o.target_blocks = 4;
    o.max_lag = max_lag;
    TransportAccumulator whole(species, 3, q, {}, o);
    whole.add_frames(w.xyz.data(), nullptr, frames);
    const TransportPartial single = whole.partial();
    const long long length = transport_block_length(static_cast<long long>(frames), 4);
    const long long nb = (static_cast<long long>(frames) + length - 1) / length;
    CHECK(static_cast<long long>(single.nblocks()) == nb);
    const long long reach = max_lag > 0 ? max_lag : static_cast<long long>(frames) - 1;
    TransportPartial merged;
    for (long long i = 0; i < 3; ++i) {
      const long long own_from = i * nb / 3 * length, own_to = std::min<long long>(frames, (i + 1) * nb / 3 * length);
      TransportOptions so = o;
      so.first_frame = std::max(0LL, own_from - reach);
      so.own_from = own_from;
      so.block_length = length;
      TransportAccumulator shard(species, 3, q, {}, so);
      shard.add_frames(w.xyz.data() + so.first_frame * natoms * 3, nullptr, static_cast<std::size_t>(own_to - so.first_frame));
      if (i == 0) merged = shard.partial();
      else merged.merge(shard.partial());
    }
    CHECK(merged.lags == single.lags && merged.block_frames == single.block_frames && merged.frames == single.frames);
    CHECK(merged.origins == single.origins);
    bool ok = merged.msd.size() == single.msd.size() && merged.cross.size() == single.cross.size();
    for (std::size_t k = 0; ok && k < single.msd.size(); ++k) ok = close(merged.msd[k], single.msd[k], 1e-13);
    for (std::size_t k = 0; ok && k < single.cross.size(); ++k) ok = close(merged.cross[k], single.cross[k], 1e-13);
    for (std::size_t k = 0; ok && k < single.charge.size(); ++k) ok = close(merged.charge[k], single.charge[k], 1e-13);
    CHECK(ok);
  }
  {
    TransportOptions o;
    o.first_frame = 10;
    o.own_from = 5;
    CHECK_THROWS(TransportAccumulator(species, 3, q, {}, o));
  }
  // 6. Bad options are refused.
  CHECK_THROWS(TransportAccumulator(species, 3, std::vector<double>(2), {}, TransportOptions{}));
  CHECK_THROWS(TransportAccumulator(std::vector<int>(natoms, -1), 1, q, {}, TransportOptions{}));
  {
    TransportOptions o;
    o.points_per_level = 9;
    CHECK_THROWS(TransportAccumulator(species, 3, q, {}, o));
  }
  // 7. The lag grid: 1..p, then j*m^k for p/m < j <= p.
  {
    const std::vector<long long> g = multiple_tau_lags(4, 2, 3);
    const std::vector<long long> want = {1, 2, 3, 4, 6, 8, 12, 16};
    CHECK(g == want);
    CHECK(species_pair_index(0, 0, 3) == 0 && species_pair_index(0, 2, 3) == 2 && species_pair_index(1, 1, 3) == 3 &&
          species_pair_index(2, 1, 3) == 4 && species_pair_index(2, 2, 3) == 5);
  }
  return check::summary("test_transport");
}
