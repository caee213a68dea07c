#pragma once
// Internal: the per-species forward and backward pass over a block of ions, shared by prediction,
// training and the gradient check.
#include <cstddef>
#include <vector>

#include "ionfield/nn.hpp"

namespace ionfield::nn::detail {

// Activations of one block of ions: a[0] is the standardised input, a[l] the output of layer l;
// z[l] the pre-activations (kept for the backward pass). The last layer is linear, a.back() = y.
struct Workspace {
  std::vector<std::vector<double>> a, z;
};

// Raw network output y (before λ̂ = shift + scale * y) for n ions of species s, left in ws.a.back().
void forward(const Model& model, std::size_t s, const float* x, std::size_t n, Workspace& ws);
// Adds d(loss)/d(params) to grad given d(loss)/dy for each of the n ions of the last forward().
void backward(const Model& model, std::size_t s, std::size_t n, Workspace& ws, const double* dy, double* grad);

}  // namespace ionfield::nn::detail
