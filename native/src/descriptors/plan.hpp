#pragma once
// A DescriptorSet compiled into flat arrays of plain structs that both the CPU and the CUDA
// evaluator read: radial functions grouped into uniform R_s grids, angular functions grouped by
// their distance weight (eta, rs, cutoff) so the weights and tensors are computed once per group.
#include <cstdint>
#include <vector>

#include "ionfield/descriptors.hpp"

namespace ionfield::detail {

constexpr int kMaxTensorOrder = 8;  // G5 via tensors for integer zeta <= 8 (165 components)

// count shifts rs = r0 + s*delta (s = 0..count-1) of one (centre, neighbour species, eta, rc).
struct RadialGroup {
  int32_t species = 0, count = 1, cutoff_kind = 0, recurrence = 0;
  int32_t col_offset = 0;    // into Plan::radial_cols (count entries)
  int32_t const_offset = 0;  // into Plan::radial_consts: exp(-eta delta^2 (2s+1)), s = 0..count-2
  double eta = 0, r0 = 0, delta = 0, rc = 0;
};

struct AngularFn {
  int32_t b1 = 0, b2 = 0, izeta = -1, col = 0;  // izeta >= 0: integer zeta
  double zeta = 1, lambda = 1, prefactor = 1;   // prefactor 2^(1-zeta)
};

// Functions sharing one weight w_j = exp(-eta (r_j - rs)^2) fc(r_j). type 3 needs triplets;
// type 9 uses tensors (tensor = 1, up to order mmax) unless some zeta is not a small integer.
struct AngularBlock {
  int32_t type = 9, cutoff_kind = 0, tensor = 0, mmax = 0;
  int32_t fn_begin = 0, fn_end = 0;  // functions sorted by (b1, b2) within the block
  double eta = 0, rs = 0, rc = 0;
};

struct CentrePlan {
  int32_t radial_begin = 0, radial_end = 0, angular_begin = 0, angular_end = 0, nfeatures = 0;
  double rmax = 0, rmax_angular = 0;
};

// Raw pointers into a Plan's arrays (host or device memory).
struct PlanView {
  int32_t nspecies = 0, ncentres = 0, ncomponents = 0;  // ncomponents: tensor entries up to the largest order
  const CentrePlan* centres = nullptr;                 // nspecies entries (nfeatures 0: not a centre)
  const RadialGroup* radial = nullptr;
  const int32_t* radial_cols = nullptr;
  const double* radial_consts = nullptr;
  const AngularBlock* blocks = nullptr;
  const AngularFn* fns = nullptr;
  const int32_t* tensor_abc = nullptr;     // 3 per component: exponents (a,b,c), grouped by order
  const double* tensor_weight = nullptr;   // multinomial m!/(a!b!c!) per component
  const int32_t* order_offset = nullptr;   // component index where order m starts (kMaxTensorOrder + 2)
};

struct Plan {
  int nspecies = 0;
  std::vector<CentrePlan> centres;
  std::vector<RadialGroup> radial;
  std::vector<int32_t> radial_cols;
  std::vector<double> radial_consts;
  std::vector<AngularBlock> blocks;
  std::vector<AngularFn> fns;
  std::vector<int32_t> tensor_abc;
  std::vector<double> tensor_weight;
  std::vector<int32_t> order_offset;
  int ncomponents = 0;
  int max_block_fns = 0;

  Plan(const DescriptorSet& set, const DescriptorOptions& options);
  PlanView view() const;
};

}  // namespace ionfield::detail
