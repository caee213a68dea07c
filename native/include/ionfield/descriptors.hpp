#pragma once
// Atom-centred symmetry functions (Behler 2011), element-resolved as in n2p2: radial G2 (n2p2
// type 2), angular G4 with the r_jk terms (type 3, "narrow") and G5 without them (type 9,
// "wide"). Values only. Formulas as implemented: docs/descriptors.md.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ionfield/box.hpp"

namespace ionfield {

enum class SymmetryFunctionType : int { G2 = 2, G4 = 3, G5 = 9 };
enum class CutoffFunction : int {
  Cosine = 0,       // 1/2 [cos(pi r/rc) + 1]
  Polynomial2 = 1,  // x = r/rc: ((15 - 6x) x - 10) x^3 + 1  (n2p2 "poly2")
};

struct SymmetryFunction {
  SymmetryFunctionType type = SymmetryFunctionType::G2;
  int centre = 0;            // species index of the centre atom
  int neighbour1 = 0;        // species of j
  int neighbour2 = -1;       // species of k (angular only); the pair (j,k) is unordered
  double eta = 0, rs = 0;    // exp(-eta (r - rs)^2) per distance
  double zeta = 1, lambda = 1;
  double cutoff = 0;
  CutoffFunction cutoff_function = CutoffFunction::Cosine;
};

// The columns of centre species s are the functions with centre == s, in the order given.
struct DescriptorSet {
  int nspecies = 0;
  std::vector<SymmetryFunction> functions;

  // Throws std::invalid_argument naming the function (index) and what is wrong.
  void validate() const;
  std::vector<int> feature_counts() const;  // per centre species
  int max_features() const;
  double max_cutoff() const;
};

struct DescriptorOptions {
  int threads = 0;                  // 0 = all (OpenMP)
  bool separable_g5 = true;         // G5 through symmetric tensors for integer zeta
  bool shift_recurrence = true;     // G2 on uniform R_s grids from two exponentials per pair
};

// One call for a batch of frames.
//   positions: frames x natoms x 3; boxes: frames boxes (periodic flags respected)
//   species:   natoms species indices (< 0: atom ignored: neither centre nor neighbour)
//   rows:      nrows atom indices whose descriptors are written (each must have a species that
//              is a centre of some function)
//   out:       frames x nrows x stride values; row r holds the features of its centre species in
//              columns 0..F_s-1 and NaN in F_s..stride-1 (stride >= max_features()).
struct DescriptorInput {
  const double* positions = nullptr;
  std::size_t frames = 0, natoms = 0;
  const Box* boxes = nullptr;
  const int32_t* species = nullptr;
  const int32_t* rows = nullptr;
  std::size_t nrows = 0;
  std::size_t stride = 0;
};

void compute_descriptors(const DescriptorSet& set, const DescriptorInput& input, double* out,
                         const DescriptorOptions& options = {});
void compute_descriptors(const DescriptorSet& set, const DescriptorInput& input, float* out,
                         const DescriptorOptions& options = {});

// The CUDA twin (double arithmetic on the device). Throws std::runtime_error without CUDA/GPU.
bool cuda_descriptors_available(std::string* why = nullptr);
void compute_descriptors_cuda(const DescriptorSet& set, const DescriptorInput& input, double* out);
void compute_descriptors_cuda(const DescriptorSet& set, const DescriptorInput& input, float* out);

}  // namespace ionfield
