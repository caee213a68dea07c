// The multiple-tau displacement correlator behind `ionfield transport` (scheme in transport.hpp).
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "ionfield/error.hpp"
#include "ionfield/transport.hpp"
#ifdef _OPENMP
#include <omp.h>
#endif

namespace ionfield {
namespace {
int thread_count(int requested) {
#ifdef _OPENMP
  return requested > 0 ? requested : omp_get_max_threads();
#else
  (void)requested;
  return 1;
#endif
}
}  // namespace

std::size_t species_pair_index(std::size_t a, std::size_t b, std::size_t n) {
  if (a > b) std::swap(a, b);
  // rows 0..a-1 hold n, n-1, ..., n-a+1 pairs
  return a * n - a * (a - 1) / 2 + (b - a);
}

std::vector<long long> multiple_tau_lags(std::size_t p, std::size_t m, std::size_t levels) {
  std::vector<long long> lags;
  long long stride = 1;
  for (std::size_t k = 0; k < levels; ++k) {
    for (std::size_t j = (k == 0 ? 1 : p / m + 1); j <= p; ++j) lags.push_back(static_cast<long long>(j) * stride);
    if (stride > (1LL << 52) / static_cast<long long>(m * p)) break;  // beyond any real trajectory
    stride *= static_cast<long long>(m);
  }
  return lags;
}

long long transport_block_length(long long frames, std::size_t target_blocks) {
  long long length = 1;
  while (frames > 0 && (frames - 1) / length >= static_cast<long long>(2 * target_blocks)) length *= 2;
  return length;
}

void TransportPartial::merge(const TransportPartial& other) {
  if (other.nspecies != nspecies)
    throw UsageError("transport partials disagree on the number of species (" + std::to_string(nspecies) + " vs " +
                     std::to_string(other.nspecies) + ")");
  const std::vector<long long>& longer = other.lags.size() > lags.size() ? other.lags : lags;
  const std::vector<long long>& shorter = other.lags.size() > lags.size() ? lags : other.lags;
  if (!std::equal(shorter.begin(), shorter.end(), longer.begin()))
    throw UsageError("transport partials have different lag grids (different points per level or decimation)");
  const std::size_t nl = longer.size(), ns = nspecies, np = npairs();
  // Re-lays both block lists on the longer lag grid, padding missing lags with zero counts.
  auto relay = [&](const TransportPartial& src, TransportPartial& dst) {
    const std::size_t ol = src.lags.size();
    for (std::size_t b = 0; b < src.nblocks(); ++b) {
      dst.block_frames.push_back(src.block_frames[b]);
      for (std::size_t l = 0; l < nl; ++l) {
        const bool have = l < ol;
        dst.origins.push_back(have ? src.origins[b * ol + l] : 0.0);
        dst.charge.push_back(have ? src.charge[b * ol + l] : 0.0);
        for (std::size_t s = 0; s < ns; ++s) dst.msd.push_back(have ? src.msd[(b * ol + l) * ns + s] : 0.0);
        for (std::size_t q = 0; q < np; ++q) dst.cross.push_back(have ? src.cross[(b * ol + l) * np + q] : 0.0);
      }
    }
  };
  TransportPartial out;
  out.nspecies = ns;
  out.lags = longer;
  out.frames = frames + other.frames;
  out.volume_sum = volume_sum + other.volume_sum;
  out.volume_frames = volume_frames + other.volume_frames;
  relay(*this, out);
  relay(other, out);
  *this = std::move(out);
}

struct TransportAccumulator::Level {
  long long stride = 1;          // frames between stored entries
  std::size_t slots = 0;         // p + 1
  std::size_t count = 0;         // entries stored so far
  std::size_t newest = 0;        // slot of the newest entry
  std::size_t lag_offset = 0;    // index in lags_ of this level's first lag
  std::size_t jmin = 1;          // first multiple of stride this level correlates
  std::vector<double> ring;      // slots * nsel * 3
  // Per slot: R_s = sum_{i in s} r_i (3 per species) and Q = sum_i q_i r_i (3). Collective
  // displacements are linear, dR_s = R_s(t) - R_s(t0) and J = Q(t) - Q(t0), so only the MSD needs
  // a loop over atoms per lag.
  std::vector<double> collective;  // slots * (3 * nspecies + 3)
};

TransportAccumulator::TransportAccumulator(std::vector<int> species, std::size_t nspecies, std::vector<double> charges,
                                           std::vector<double> com_weights, TransportOptions options)
    : species_(std::move(species)), nspecies_(nspecies), charges_(std::move(charges)), weights_(std::move(com_weights)),
      options_(options) {
  const std::size_t n = species_.size();
  if (nspecies_ == 0) throw UsageError("transport: no species selected");
  if (charges_.size() != n) throw UsageError("transport: need one charge per atom");
  if (!weights_.empty() && weights_.size() != n) throw UsageError("transport: need one centre-of-mass weight per atom");
  if (options_.points_per_level < 2 || options_.decimation < 2 || options_.points_per_level % options_.decimation != 0)
    throw UsageError("transport: points per level must be a multiple of the decimation factor (>= 2)");
  if (options_.max_levels < 1) throw UsageError("transport: need at least one level");
  if (options_.target_blocks < 1) throw UsageError("transport: need at least one block");
  if (options_.first_frame < 0 || options_.own_from < options_.first_frame || options_.block_length < 0)
    throw UsageError("transport: shard frame range must have 0 <= first frame <= first owned frame");
  if (options_.block_length > 0) block_length_ = options_.block_length;
  starts_.assign(nspecies_ + 1, 0);
  for (int s : species_) {
    if (s >= static_cast<int>(nspecies_)) throw UsageError("transport: species index out of range");
    if (s >= 0) ++starts_[s + 1];
  }
  for (std::size_t s = 0; s < nspecies_; ++s) starts_[s + 1] += starts_[s];
  order_.resize(starts_[nspecies_]);
  std::vector<std::size_t> fill(starts_.begin(), starts_.end() - 1);
  for (std::size_t i = 0; i < n; ++i)
    if (species_[i] >= 0) order_[fill[species_[i]]++] = i;
  if (order_.empty()) throw UsageError("transport: no atoms selected");
  sorted_charges_.resize(order_.size());
  for (std::size_t k = 0; k < order_.size(); ++k) sorted_charges_[k] = charges_[order_[k]];

  // The full lag grid, cut at max_lag; sums are laid out for all of it up front (small).
  lags_ = multiple_tau_lags(options_.points_per_level, options_.decimation, options_.max_levels);
  if (options_.max_lag > 0)
    lags_.erase(std::remove_if(lags_.begin(), lags_.end(), [&](long long l) { return l > options_.max_lag; }), lags_.end());
  if (lags_.empty()) throw UsageError("transport: max lag leaves no lags");
  sums_.nspecies = nspecies_;
  sums_.lags = lags_;
}

TransportAccumulator::~TransportAccumulator() = default;

std::size_t TransportAccumulator::memory_bytes() const {
  std::size_t bytes = scratch_.size() * sizeof(double);
  for (const Level& l : levels_) bytes += (l.ring.size() + l.collective.size()) * sizeof(double);
  bytes += partials_.size() * sizeof(double);
  bytes += (sums_.origins.size() + sums_.msd.size() + sums_.cross.size() + sums_.charge.size()) * sizeof(double);
  return bytes;
}

void TransportAccumulator::ensure_block_for(long long frame) {
  const std::size_t nl = lags_.size(), ns = nspecies_, np = sums_.npairs();
  std::size_t index = static_cast<std::size_t>(frame / block_length_);
  if (options_.block_length > 0) {
    // Fixed blocks (a shard): indices count from the block of the first owned frame.
    index = static_cast<std::size_t>(frame / block_length_ - options_.own_from / block_length_);
  } else if (index >= 2 * options_.target_blocks) {
    // Merge neighbouring blocks pairwise: block lengths double, the count halves. Exact (sums).
    const std::size_t nb = sums_.nblocks(), half = nb / 2;
    auto fold = [&](std::vector<double>& v, std::size_t width) {
      for (std::size_t b = 0; b < half; ++b)
        for (std::size_t w = 0; w < width; ++w) v[b * width + w] = v[2 * b * width + w] + v[(2 * b + 1) * width + w];
      v.resize(half * width);
    };
    fold(sums_.origins, nl);
    fold(sums_.charge, nl);
    fold(sums_.msd, nl * ns);
    fold(sums_.cross, nl * np);
    for (std::size_t b = 0; b < half; ++b) sums_.block_frames[b] = sums_.block_frames[2 * b] + sums_.block_frames[2 * b + 1];
    sums_.block_frames.resize(half);
    block_length_ *= 2;
    index = static_cast<std::size_t>(frame / block_length_);
  }
  while (sums_.nblocks() <= index) {
    sums_.block_frames.push_back(0);
    sums_.origins.resize(sums_.origins.size() + nl, 0.0);
    sums_.charge.resize(sums_.charge.size() + nl, 0.0);
    sums_.msd.resize(sums_.msd.size() + nl * ns, 0.0);
    sums_.cross.resize(sums_.cross.size() + nl * np, 0.0);
  }
  ++sums_.block_frames[index];
}

void TransportAccumulator::add_frames(const double* xyz, const double* volumes, std::size_t nframes) {
  const std::size_t n3 = species_.size() * 3;
  const long long first = options_.first_frame + frames_;
  for (std::size_t f = 0; f < nframes; ++f)
    if (volumes && volumes[f] > 0 && first + static_cast<long long>(f) >= options_.own_from) {
      sums_.volume_sum += volumes[f];
      ++sums_.volume_frames;
    }
  // Chunks bound the scratch memory (chunk frames x selected atoms x 3 doubles).
  constexpr std::size_t kChunk = 64;
  for (std::size_t f0 = 0; f0 < nframes; f0 += kChunk) add_chunk(xyz + f0 * n3, std::min(kChunk, nframes - f0));
}

// One chunk of frames with one parallel region (no per-frame synchronisation, which costs a
// scheduler time slice per frame on a busy machine):
//  1. sequentially: gather the selected atoms (minus the centre of mass), sum them per species
//     (R_s) and weighted by charge (Q), and plan every ring store, level creation and (frame, lag)
//     correlation of the chunk — the plan depends only on frame numbers. The collective terms
//     dR_s = R_s(t) - R_s(t0) and J = Q(t) - Q(t0) of each correlation are computed here, in order;
//  2. in parallel: each thread replays the plan for its own slice of atoms — it writes its atoms
//     into the rings and sums |dr_i|^2 per species for every (frame, lag) of the chunk;
//  3. sequentially: the per-thread MSD sums are combined in a fixed order, and everything is added
//     to the sums of each frame's block.
void TransportAccumulator::add_chunk(const double* xyz, std::size_t nframes) {
  const std::size_t nsel = order_.size(), n3 = nsel * 3, nin3 = species_.size() * 3;
  const std::size_t p = options_.points_per_level, m = options_.decimation, ns = nspecies_;
  const std::size_t nc = 3 * ns + 3;  // collective sums per frame
  scratch_.resize(nframes * n3);
  std::vector<double> collective(nframes * nc, 0.0);
  for (std::size_t f = 0; f < nframes; ++f) {
    double* dst = scratch_.data() + f * n3;
    const double* src = xyz + f * nin3;
    for (std::size_t k = 0; k < nsel; ++k) std::memcpy(dst + 3 * k, src + 3 * order_[k], 3 * sizeof(double));
    if (options_.remove_com) {
      double c[3] = {0, 0, 0}, wsum = 0;
      for (std::size_t k = 0; k < nsel; ++k) {
        const double w = weights_.empty() ? 1.0 : weights_[order_[k]];
        for (int d = 0; d < 3; ++d) c[d] += w * dst[3 * k + d];
        wsum += w;
      }
      for (int d = 0; d < 3; ++d) c[d] /= wsum;
      for (std::size_t k = 0; k < nsel; ++k)
        for (int d = 0; d < 3; ++d) dst[3 * k + d] -= c[d];
    }
    double* col = collective.data() + f * nc;
    for (std::size_t s = 0; s < ns; ++s)
      for (std::size_t k = starts_[s]; k < starts_[s + 1]; ++k)
        for (int d = 0; d < 3; ++d) {
          col[3 * s + d] += dst[3 * k + d];
          col[3 * ns + d] += sorted_charges_[k] * dst[3 * k + d];
        }
  }

  // ---- 1. plan (and the collective terms of every correlation)
  struct Store {
    std::size_t level, slot;
    bool seed;             // copy frame 0 from the level below instead of the new frame
    std::size_t from_slot; // (seed) slot of frame 0 in the level below
  };
  struct Task {
    std::size_t level, now, then, lag_index;
  };
  std::vector<std::vector<Store>> stores(nframes);
  std::vector<std::size_t> task_begin(nframes + 1, 0);
  std::vector<Task> tasks;
  std::vector<double> task_collective;  // per task: dR_s (3 per species), J (3)
  for (std::size_t f = 0; f < nframes; ++f) {
    const long long t = options_.first_frame + frames_ + static_cast<long long>(f);
    const bool owned = t >= options_.own_from;  // history frames of a shard: stored, not correlated
    long long stride = 1;
    for (std::size_t k = 0; k < options_.max_levels; ++k) {
      if (k > 0) {
        if (stride > t / static_cast<long long>(m)) break;  // stride * m > t: no higher level holds t
        stride *= static_cast<long long>(m);
      }
      if (t % stride != 0) break;
      const std::size_t jmin = k == 0 ? 1 : p / m + 1;
      if (k >= levels_.size()) {
        // A level is born at its second entry (frame = stride, seeded with frame 0); a shard that
        // starts later starts each level at the first multiple of its stride that it reads.
        const bool seeded = options_.first_frame == 0;
        if (k > 0 && seeded && t != stride) break;
        const std::size_t first_lag_index = levels_.empty() ? 0 : levels_.back().lag_offset + (p - levels_.back().jmin + 1);
        if (first_lag_index >= lags_.size()) break;  // max_lag reached: no more levels
        Level level;
        level.stride = stride;
        level.slots = p + 1;
        level.jmin = jmin;
        level.lag_offset = first_lag_index;
        level.ring.assign(level.slots * n3, 0.0);
        level.collective.assign(level.slots * nc, 0.0);
        if (k > 0 && seeded) {
          // Seed with frame 0, still held m entries back in the level below (p >= m).
          const Level& below = levels_[k - 1];
          const std::size_t from = (below.newest + below.slots - m) % below.slots;
          stores[f].push_back({k, 0, true, from});
          std::memcpy(level.collective.data(), below.collective.data() + from * nc, nc * sizeof(double));
          level.count = 1;
          level.newest = 0;
        }
        levels_.push_back(std::move(level));
      }
      Level& level = levels_[k];
      level.newest = level.count == 0 ? 0 : (level.newest + 1) % level.slots;
      ++level.count;
      stores[f].push_back({k, level.newest, false, 0});
      std::memcpy(level.collective.data() + level.newest * nc, collective.data() + f * nc, nc * sizeof(double));
      const std::size_t available = owned ? std::min(level.count - 1, p) : 0;
      for (std::size_t j = jmin; j <= available; ++j) {
        const std::size_t li = level.lag_offset + (j - jmin);
        if (li >= lags_.size()) break;
        const std::size_t then = (level.newest + level.slots - j) % level.slots;
        tasks.push_back({k, level.newest, then, li});
        const double* a = level.collective.data() + level.newest * nc;
        const double* b = level.collective.data() + then * nc;
        for (std::size_t c = 0; c < nc; ++c) task_collective.push_back(a[c] - b[c]);
      }
    }
    task_begin[f + 1] = tasks.size();
  }

  // ---- 2. replay per atom slice: ring stores and |dr|^2 per species
  const std::size_t ntasks = tasks.size();
  const bool parallel = nsel * ntasks > 65536;
  const int nthreads = parallel ? std::max(1, thread_count(options_.threads)) : 1;
  partials_.assign(static_cast<std::size_t>(nthreads) * ntasks * ns, 0.0);
#pragma omp parallel num_threads(nthreads) if (parallel)
  {
#ifdef _OPENMP
    const std::size_t tid = static_cast<std::size_t>(omp_get_thread_num()), nt = static_cast<std::size_t>(omp_get_num_threads());
#else
    const std::size_t tid = 0, nt = 1;
#endif
    const std::size_t lo = nsel * tid / nt, hi = nsel * (tid + 1) / nt;
    double* mine = partials_.data() + tid * ntasks * ns;
    for (std::size_t f = 0; f < nframes; ++f) {
      for (const Store& st : stores[f]) {
        Level& level = levels_[st.level];
        const double* src = st.seed ? levels_[st.level - 1].ring.data() + st.from_slot * n3 : scratch_.data() + f * n3;
        std::memcpy(level.ring.data() + st.slot * n3 + 3 * lo, src + 3 * lo, (hi - lo) * 3 * sizeof(double));
      }
      for (std::size_t ti = task_begin[f]; ti < task_begin[f + 1]; ++ti) {
        const Task& task = tasks[ti];
        const Level& level = levels_[task.level];
        const double* now = level.ring.data() + task.now * n3;
        const double* then = level.ring.data() + task.then * n3;
        for (std::size_t s = 0; s < ns; ++s) {
          const std::size_t x0 = 3 * std::max(starts_[s], lo), x1 = 3 * std::min(starts_[s + 1], hi);
          double sq = 0;
#pragma omp simd reduction(+ : sq)
          for (std::size_t x = x0; x < x1; ++x) {
            const double d = now[x] - then[x];
            sq += d * d;
          }
          mine[ti * ns + s] = sq;
        }
      }
    }
  }

  // ---- 3. combine threads (fixed order) and add to each frame's block
  const std::size_t np = sums_.npairs(), nl = lags_.size();
  for (std::size_t f = 0; f < nframes; ++f) {
    const long long t = options_.first_frame + frames_;
    ++frames_;
    if (t < options_.own_from) continue;  // history only (no tasks were planned for it)
    ensure_block_for(t);
    ++owned_;
    const std::size_t block = sums_.nblocks() - 1;
    for (std::size_t ti = task_begin[f]; ti < task_begin[f + 1]; ++ti) {
      const std::size_t li = tasks[ti].lag_index;
      for (std::size_t s = 0; s < ns; ++s) {
        double sq = 0;
        for (int th = 0; th < nthreads; ++th) sq += partials_[(static_cast<std::size_t>(th) * ntasks + ti) * ns + s];
        sums_.msd[(block * nl + li) * ns + s] += sq;
      }
      const double* dR = task_collective.data() + ti * nc;
      for (std::size_t a = 0; a < ns; ++a)
        for (std::size_t b = a; b < ns; ++b)
          sums_.cross[(block * nl + li) * np + species_pair_index(a, b, ns)] +=
              dR[3 * a] * dR[3 * b] + dR[3 * a + 1] * dR[3 * b + 1] + dR[3 * a + 2] * dR[3 * b + 2];
      const double* J = dR + 3 * ns;
      sums_.charge[block * nl + li] += J[0] * J[0] + J[1] * J[1] + J[2] * J[2];
      sums_.origins[block * nl + li] += 1.0;
    }
  }
}

TransportPartial TransportAccumulator::partial() const {
  // Only lags the run has reached (lag <= frames - 1); the rest of the grid is all zeros.
  std::size_t nl = 0;
  // A shard's grid ends at its own last frame's lag; merging pads shorter grids with zeros.
  const long long last = options_.first_frame + frames_ - 1;
  while (nl < lags_.size() && lags_[nl] <= last) ++nl;
  TransportPartial out;
  out.nspecies = nspecies_;
  out.lags.assign(lags_.begin(), lags_.begin() + nl);
  out.block_frames = sums_.block_frames;
  out.frames = owned_;
  out.volume_sum = sums_.volume_sum;
  out.volume_frames = sums_.volume_frames;
  const std::size_t full = lags_.size(), ns = nspecies_, np = sums_.npairs();
  for (std::size_t b = 0; b < sums_.nblocks(); ++b) {
    out.origins.insert(out.origins.end(), sums_.origins.begin() + b * full, sums_.origins.begin() + b * full + nl);
    out.charge.insert(out.charge.end(), sums_.charge.begin() + b * full, sums_.charge.begin() + b * full + nl);
    out.msd.insert(out.msd.end(), sums_.msd.begin() + b * full * ns, sums_.msd.begin() + (b * full + nl) * ns);
    out.cross.insert(out.cross.end(), sums_.cross.begin() + b * full * np, sums_.cross.begin() + (b * full + nl) * np);
  }
  return out;
}

}  // namespace ionfield
