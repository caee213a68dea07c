// Cubic lattices in periodic supercells: site table, position lookup and neighbour shells.
#include "ionfield/lattice.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

namespace ionfield::lattice {
namespace {

// Is the integer vector v (units of a/2) a lattice vector of this Bravais lattice?
bool is_lattice_vector(LatticeKind kind, const IVec& v) {
  const int odd = (v[0] & 1) + (v[1] & 1) + (v[2] & 1);
  switch (kind) {
    case LatticeKind::SimpleCubic: return odd == 0;
    case LatticeKind::BCC: return odd == 0 || odd == 3;
    case LatticeKind::FCC: return odd == 0 || odd == 2;
  }
  return false;
}

std::vector<IVec> conventional_basis(LatticeKind kind) {
  switch (kind) {
    case LatticeKind::SimpleCubic: return {{0, 0, 0}};
    case LatticeKind::BCC: return {{0, 0, 0}, {1, 1, 1}};
    case LatticeKind::FCC: return {{0, 0, 0}, {1, 1, 0}, {1, 0, 1}, {0, 1, 1}};
  }
  return {};
}

int mod(int a, int l) {
  const int r = a % l;
  return r < 0 ? r + l : r;
}

}  // namespace

LatticeKind parse_lattice_kind(const std::string& name) {
  if (name == "sc" || name == "simple-cubic") return LatticeKind::SimpleCubic;
  if (name == "bcc") return LatticeKind::BCC;
  if (name == "fcc") return LatticeKind::FCC;
  throw std::invalid_argument("unknown lattice '" + name + "' (expected fcc, bcc or sc)");
}

std::string lattice_kind_name(LatticeKind kind) {
  switch (kind) {
    case LatticeKind::SimpleCubic: return "sc";
    case LatticeKind::BCC: return "bcc";
    case LatticeKind::FCC: return "fcc";
  }
  return "?";
}

Lattice::Lattice(LatticeKind kind, int cells, int shells) : kind_(kind), cells_(cells) {
  if (cells < 2) throw std::invalid_argument("supercell must have at least 2 conventional cells per edge");
  if (cells > 64) throw std::invalid_argument("supercell larger than 64 cells per edge is not supported");
  if (shells < 1 || shells > 8) throw std::invalid_argument("neighbour shells must be between 1 and 8");
  const int l = period();
  lookup_.assign(static_cast<std::size_t>(l) * l * l, -1);
  const auto basis = conventional_basis(kind);
  for (int k = 0; k < cells; ++k)
    for (int j = 0; j < cells; ++j)
      for (int i = 0; i < cells; ++i)
        for (const IVec& b : basis) {
          const IVec p{2 * i + b[0], 2 * j + b[1], 2 * k + b[2]};
          lookup_[(static_cast<std::size_t>(p[2]) * l + p[1]) * l + p[0]] = static_cast<int>(positions_.size());
          positions_.push_back(p);
        }
  // Shells of the infinite lattice: lattice vectors grouped by length.
  std::map<int, std::vector<IVec>> by_norm;
  const int reach = 8;
  for (int z = -reach; z <= reach; ++z)
    for (int y = -reach; y <= reach; ++y)
      for (int x = -reach; x <= reach; ++x) {
        const IVec v{x, y, z};
        const int n2 = dot(v, v);
        if (n2 == 0 || n2 > reach * reach || !is_lattice_vector(kind, v)) continue;
        by_norm[n2].push_back(v);
      }
  for (const auto& [n2, vs] : by_norm) {
    if (static_cast<int>(shell_vectors_.size()) == shells) break;
    shell_norm2_.push_back(n2);
    shell_vectors_.push_back(vs);
  }
  // A jump and its reverse must reach different sites, or the supercell cannot hold a walk.
  for (std::size_t a = 0; a < shell_vectors_[0].size(); ++a)
    for (std::size_t b = 0; b < a; ++b)
      if (wrap(shell_vectors_[0][a]) == wrap(shell_vectors_[0][b]))
        throw std::invalid_argument("supercell of " + std::to_string(cells) + " cells is too small for " + lattice_kind_name(kind) +
                                    ": two nearest-neighbour vectors reach the same site (use at least 3 cells)");
  neighbours_.resize(shell_vectors_.size());
  for (std::size_t s = 0; s < shell_vectors_.size(); ++s) {
    auto& table = neighbours_[s];
    table.reserve(positions_.size() * shell_vectors_[s].size());
    for (const IVec& p : positions_)
      for (const IVec& v : shell_vectors_[s]) table.push_back(site_at(add(p, v)));
  }
}

IVec Lattice::wrap(const IVec& p) const {
  const int l = period();
  return {mod(p[0], l), mod(p[1], l), mod(p[2], l)};
}

int Lattice::site_at(const IVec& p) const {
  const IVec w = wrap(p);
  const int l = period();
  return lookup_[(static_cast<std::size_t>(w[2]) * l + w[1]) * l + w[0]];
}

std::vector<IVec> Lattice::offsets_within(int max_norm2) const {
  std::vector<IVec> out;
  const int n = cells_, l = period();
  for (const IVec& p : positions_) {
    IVec v = p;
    for (int& c : v)
      if (c >= n) c -= l;  // minimal image in [-N, N)
    const int n2 = dot(v, v);
    if (n2 > 0 && n2 <= max_norm2) out.push_back(v);
  }
  std::stable_sort(out.begin(), out.end(), [](const IVec& a, const IVec& b) { return dot(a, a) < dot(b, b); });
  return out;
}

const std::vector<IMat>& cubic_point_group() {
  static const std::vector<IMat> group = [] {
    std::vector<IMat> g;
    std::array<int, 3> perm{0, 1, 2};
    do {
      for (int signs = 0; signs < 8; ++signs) {
        IMat m{};
        for (int r = 0; r < 3; ++r) m[r][perm[r]] = (signs >> r) & 1 ? -1 : 1;
        g.push_back(m);
      }
    } while (std::next_permutation(perm.begin(), perm.end()));
    return g;  // first entry: identity permutation with all signs +1
  }();
  return group;
}

IVec apply(const IMat& m, const IVec& v) {
  return {dot(m[0], v), dot(m[1], v), dot(m[2], v)};
}

}  // namespace ionfield::lattice
