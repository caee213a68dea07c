// Symmetry-adapted vector basis: clusters around a centre site, summed over the O_h orbit with
// the rotated direction, so every basis function is equivariant by construction.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <stdexcept>

#include "ionfield/variational.hpp"

namespace ionfield::lattice {
namespace {

using Key = std::vector<std::array<int, 4>>;

Key image_key(const Lattice& lattice, const Cluster& c, const IMat& g) {
  Key key;
  for (const ClusterSite& s : c) {
    const IVec w = lattice.wrap(apply(g, s.offset));
    key.push_back({w[0], w[1], w[2], s.occupant});
  }
  std::sort(key.begin(), key.end());
  return key;
}

Key canonical_key(const Lattice& lattice, const Cluster& c) {
  Key best;
  bool first = true;
  for (const IMat& g : cubic_point_group()) {
    Key k = image_key(lattice, c, g);
    if (first || k < best) best = std::move(k);
    first = false;
  }
  return best;
}

std::vector<Cluster> unique_orbits(const Lattice& lattice, const std::vector<Cluster>& candidates) {
  std::set<Key> seen;
  std::vector<Cluster> out;
  for (const Cluster& c : candidates)
    if (seen.insert(canonical_key(lattice, c)).second) out.push_back(c);
  return out;
}

IVec minimal_image(const Lattice& lattice, const IVec& v) {
  IVec w = lattice.wrap(v);
  for (int& x : w)
    if (x >= lattice.cells()) x -= lattice.period();
  return w;
}

}  // namespace

std::vector<Cluster> singlet_clusters(const Lattice& lattice, int max_norm2, const std::vector<std::uint8_t>& occupants) {
  std::vector<Cluster> candidates;
  for (const IVec& r : lattice.offsets_within(max_norm2))
    for (std::uint8_t o : occupants) candidates.push_back({ClusterSite{r, o}});
  return unique_orbits(lattice, candidates);
}

std::vector<Cluster> pair_clusters(const Lattice& lattice, int first_norm2, const std::vector<std::uint8_t>& first, int second_norm2,
                                   const std::vector<std::uint8_t>& second) {
  std::vector<Cluster> candidates;
  const auto r1s = lattice.offsets_within(first_norm2), r2s = lattice.offsets_within(second_norm2);
  for (const IVec& r1 : r1s)
    for (const IVec& r2 : r2s) {
      if (lattice.wrap(r1) == lattice.wrap(r2)) continue;
      for (std::uint8_t a : first)
        for (std::uint8_t b : second) candidates.push_back({ClusterSite{r1, a}, ClusterSite{r2, b}});
    }
  return unique_orbits(lattice, candidates);
}

std::vector<Cluster> triplet_clusters(const Lattice& lattice, int first_norm2, const std::vector<std::uint8_t>& first, int second_norm2,
                                      const std::vector<std::uint8_t>& second) {
  std::vector<Cluster> candidates;
  const auto r1s = lattice.offsets_within(first_norm2), r2s = lattice.offsets_within(second_norm2);
  for (const IVec& r1 : r1s)
    for (std::size_t i = 0; i < r2s.size(); ++i)
      for (std::size_t j = i + 1; j < r2s.size(); ++j) {
        const IVec w1 = lattice.wrap(r1), wi = lattice.wrap(r2s[i]), wj = lattice.wrap(r2s[j]);
        if (w1 == wi || w1 == wj || wi == wj) continue;
        for (std::uint8_t a : first)
          for (std::uint8_t b : second)
            for (std::uint8_t c : second) candidates.push_back({ClusterSite{r1, a}, ClusterSite{r2s[i], b}, ClusterSite{r2s[j], c}});
      }
  return unique_orbits(lattice, candidates);
}

VectorBasis::VectorBasis(const Lattice& lattice, std::vector<Cluster> clusters) : lattice_(lattice), clusters_(std::move(clusters)) {
  std::set<IVec> reach{{0, 0, 0}};
  for (std::size_t ci = 0; ci < clusters_.size(); ++ci) {
    if (clusters_[ci].empty()) throw std::invalid_argument("a basis cluster needs at least one site");
    std::map<Key, std::size_t> index;
    for (const IMat& g : cubic_point_group()) {
      Key key = image_key(lattice, clusters_[ci], g);
      auto it = index.find(key);
      if (it == index.end()) {
        Image im{};
        im.cluster = static_cast<int>(ci);
        for (const ClusterSite& s : clusters_[ci]) {
          const IVec o = minimal_image(lattice, apply(g, s.offset));
          im.sites.push_back(ClusterSite{o, s.occupant});
          reach.insert(o);
        }
        it = index.emplace(std::move(key), images_.size()).first;
        images_.push_back(std::move(im));
      }
      Image& im = images_[it->second];
      for (int d = 0; d < 3; ++d)
        for (int e = 0; e < 3; ++e) im.m[d][e] += g[d][e];  // (g·e)_d
    }
  }
  reach_.assign(reach.begin(), reach.end());
  for (std::size_t i = 0; i < images_.size(); ++i)
    if (std::none_of(images_[i].sites.begin(), images_[i].sites.end(), [](const ClusterSite& s) { return s.occupant == kVacancy; }))
      vacancy_free_.push_back(static_cast<int>(i));
  const int l = lattice.period();
  by_offset_.assign(static_cast<std::size_t>(l) * l * l, {});
  for (std::size_t i = 0; i < images_.size(); ++i)
    for (const ClusterSite& s : images_[i].sites) {
      const IVec w = lattice.wrap(s.offset);
      auto& list = by_offset_[(static_cast<std::size_t>(w[2]) * l + w[1]) * l + w[0]];
      if (list.empty() || list.back() != static_cast<int>(i)) list.push_back(static_cast<int>(i));
    }
}

void VectorBasis::add_image(const std::uint8_t* occ, const Image& im, const IVec& pc, double sign, double* out) const {
  for (const ClusterSite& s : im.sites)
    if (occ[lattice_.site_at(add(pc, s.offset))] != s.occupant) return;
  double* block = out + 9 * im.cluster;
  for (int e = 0; e < 3; ++e)
    for (int d = 0; d < 3; ++d) block[3 * e + d] += sign * im.m[d][e];
}

void VectorBasis::accumulate_touching(const std::uint8_t* occ, int centre, const IVec* changed, int count, double sign, double* out,
                                      std::vector<int>& seen, int stamp) const {
  const IVec& pc = lattice_.position(centre);
  const int l = lattice_.period();
  for (int k = 0; k < count; ++k) {
    const IVec w = lattice_.wrap(changed[k]);
    for (int i : by_offset_[(static_cast<std::size_t>(w[2]) * l + w[1]) * l + w[0]]) {
      if (seen[i] == stamp) continue;
      seen[i] = stamp;
      add_image(occ, images_[i], pc, sign, out);
    }
  }
}

void VectorBasis::accumulate_around_vacancies(const std::uint8_t* occ, int centre, const std::vector<int>& vacancies, double* out,
                                              std::vector<int>& seen, int stamp) const {
  const IVec& pc = lattice_.position(centre);
  for (int v : vacancies) {
    const IVec offset = sub(lattice_.position(v), pc);
    accumulate_touching(occ, centre, &offset, 1, 1.0, out, seen, stamp);
  }
  for (int i : vacancy_free_) add_image(occ, images_[i], pc, 1.0, out);
}

void VectorBasis::accumulate(const std::uint8_t* occ, int centre, double* out) const {
  const IVec& pc = lattice_.position(centre);
  for (const Image& im : images_) {
    bool match = true;
    for (const ClusterSite& s : im.sites)
      if (occ[lattice_.site_at(add(pc, s.offset))] != s.occupant) {
        match = false;
        break;
      }
    if (!match) continue;
    double* block = out + 9 * im.cluster;  // functions 3·cluster + e, each with 3 components
    for (int e = 0; e < 3; ++e)
      for (int d = 0; d < 3; ++d) block[3 * e + d] += im.m[d][e];
  }
}

}  // namespace ionfield::lattice
