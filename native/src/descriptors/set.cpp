#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "ionfield/descriptors.hpp"

namespace ionfield {

void DescriptorSet::validate() const {
  if (nspecies <= 0) throw std::invalid_argument("descriptor set: no species");
  if (functions.empty()) throw std::invalid_argument("descriptor set: no symmetry functions");
  for (std::size_t k = 0; k < functions.size(); ++k) {
    const SymmetryFunction& f = functions[k];
    auto fail = [&](const std::string& what) {
      throw std::invalid_argument("symmetry function " + std::to_string(k) + ": " + what);
    };
    auto species_ok = [&](int s) { return s >= 0 && s < nspecies; };
    const bool angular = f.type != SymmetryFunctionType::G2;
    if (f.type != SymmetryFunctionType::G2 && f.type != SymmetryFunctionType::G4 && f.type != SymmetryFunctionType::G5)
      fail("type must be 2 (G2), 3 (G4) or 9 (G5)");
    if (!species_ok(f.centre) || !species_ok(f.neighbour1) || (angular && !species_ok(f.neighbour2)))
      fail("species index out of range");
    if (!(f.cutoff > 0) || !std::isfinite(f.cutoff)) fail("cutoff must be positive");
    if (!(f.eta >= 0) || !std::isfinite(f.eta)) fail("eta must be >= 0");
    if (!std::isfinite(f.rs) || f.rs < 0) fail("rs must be >= 0");
    if (angular) {
      if (f.lambda != 1 && f.lambda != -1) fail("lambda must be +1 or -1");
      if (!(f.zeta >= 1) || !std::isfinite(f.zeta) || f.zeta > 1024) fail("zeta must be in [1, 1024]");
    }
    if (f.cutoff_function != CutoffFunction::Cosine && f.cutoff_function != CutoffFunction::Polynomial2)
      fail("unknown cutoff function");
  }
}

std::vector<int> DescriptorSet::feature_counts() const {
  std::vector<int> counts(std::max(nspecies, 0), 0);
  for (const auto& f : functions)
    if (f.centre >= 0 && f.centre < nspecies) ++counts[f.centre];
  return counts;
}

int DescriptorSet::max_features() const {
  const auto c = feature_counts();
  return c.empty() ? 0 : *std::max_element(c.begin(), c.end());
}

double DescriptorSet::max_cutoff() const {
  double r = 0;
  for (const auto& f : functions) r = std::max(r, f.cutoff);
  return r;
}

}  // namespace ionfield
