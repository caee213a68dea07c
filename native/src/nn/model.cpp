// The MLP itself: layout of the flat parameter vector, activations, forward and backward passes.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ionfield/nn.hpp"
#include "nn/fast_tanh.hpp"
#include "nn/forward.hpp"
#include "nn/frames.hpp"
#include "nn/rng.hpp"

namespace ionfield::nn {

Activation parse_activation(const std::string& name) {
  if (name == "tanh") return Activation::Tanh;
  if (name == "softplus") return Activation::Softplus;
  if (name == "shifted-softplus" || name == "ssp") return Activation::ShiftedSoftplus;
  if (name == "silu" || name == "swish") return Activation::Silu;
  throw std::invalid_argument("unknown activation '" + name + "' (expected tanh, softplus, shifted-softplus or silu)");
}

std::string activation_name(Activation a) {
  switch (a) {
    case Activation::Tanh: return "tanh";
    case Activation::Softplus: return "softplus";
    case Activation::ShiftedSoftplus: return "shifted-softplus";
    case Activation::Silu: return "silu";
  }
  return "?";
}

Objective parse_objective(const std::string& name) {
  if (name == "per-ion") return Objective::PerIon;
  if (name == "global") return Objective::Global;
  throw std::invalid_argument("unknown objective '" + name + "' (expected per-ion or global)");
}

std::string objective_name(Objective o) { return o == Objective::PerIon ? "per-ion" : "global"; }

Layout Layout::of(const Architecture& arch) {
  Layout layout;
  for (int f : arch.features) {
    if (f <= 0) throw std::invalid_argument("every species needs at least one feature column");
    std::vector<LayerSlot> slots;
    int in = f;
    std::vector<int> widths = arch.hidden;
    widths.push_back(1);
    for (int out : widths) {
      if (out <= 0) throw std::invalid_argument("hidden layer widths must be positive");
      LayerSlot slot;
      slot.in = in;
      slot.out = out;
      slot.w = layout.size;
      layout.size += static_cast<std::size_t>(in) * out;
      slot.b = layout.size;
      layout.size += out;
      slots.push_back(slot);
      in = out;
    }
    layout.layers.push_back(slots);
  }
  return layout;
}

std::size_t SystemData::ions() const {
  std::size_t n = 0;
  for (const auto& s : species) n += s.ions;
  return n;
}

namespace {

// softplus(z) = log(1 + e^z), written to neither overflow nor lose precision for large |z|.
inline double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
inline double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}
const double kLn2 = std::log(2.0);

inline double activate(Activation act, double z) {
  switch (act) {
    case Activation::Tanh: return detail::fast_tanh(z);
    case Activation::Softplus: return softplus(z);
    case Activation::ShiftedSoftplus: return softplus(z) - kLn2;
    case Activation::Silu: return z * sigmoid(z);
  }
  return z;
}

// d act / dz, from z and the activation value a (tanh' = 1 - a² saves an exp).
inline double derivative(Activation act, double z, double a) {
  switch (act) {
    case Activation::Tanh: return 1.0 - a * a;
    case Activation::Softplus:
    case Activation::ShiftedSoftplus: return sigmoid(z);
    case Activation::Silu: {
      const double s = sigmoid(z);
      return s * (1.0 + z * (1.0 - s));
    }
  }
  return 1.0;
}

}  // namespace

namespace detail {

// AVX2 clones of the two hot loops where the compiler and CPU support it (selected at load time).
// AVX2 without FMA performs the same IEEE operations in the same order, only 4 lanes at a time, so
// results are bit-identical to the baseline build (no contraction into fused multiply-adds).
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define IONFIELD_NN_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define IONFIELD_NN_CLONES
#endif

IONFIELD_NN_CLONES void forward(const Model& model, std::size_t s, const float* x, std::size_t n, Workspace& ws) {
  const auto& slots = model.layout.layers[s];
  const std::size_t F = static_cast<std::size_t>(model.arch.features[s]);
  ws.a.resize(slots.size() + 1);
  ws.z.resize(slots.size());
  auto& a0 = ws.a[0];
  a0.resize(n * F);
  const double* mean = model.feature_mean[s].data();
  const double* scale = model.feature_scale[s].data();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < F; ++f) a0[i * F + f] = (static_cast<double>(x[i * F + f]) - mean[f]) / scale[f];
  const double* p = model.params.data();
  for (std::size_t l = 0; l < slots.size(); ++l) {
    const auto& slot = slots[l];
    const std::size_t in = slot.in, out = slot.out;
    const bool last = l + 1 == slots.size();
    const double* W = p + slot.w;
    const double* b = p + slot.b;
    const auto& prev = ws.a[l];
    auto& z = ws.z[l];
    auto& a = ws.a[l + 1];
    z.resize(n * out);
    a.resize(n * out);
    for (std::size_t i = 0; i < n; ++i) {
      double* zi = z.data() + i * out;
      for (std::size_t o = 0; o < out; ++o) zi[o] = b[o];
      const double* xi = prev.data() + i * in;
      for (std::size_t k = 0; k < in; ++k) {
        const double xk = xi[k];
        const double* Wk = W + k * out;
        for (std::size_t o = 0; o < out; ++o) zi[o] += xk * Wk[o];
      }
    }
    // The activation over the whole block in one loop, its kind chosen once, so that it vectorises.
    const std::size_t m = n * out;
    if (last)
      std::copy(z.begin(), z.end(), a.begin());
    else if (model.arch.activation == Activation::Tanh)
      for (std::size_t j = 0; j < m; ++j) a[j] = detail::fast_tanh(z[j]);
    else
      for (std::size_t j = 0; j < m; ++j) a[j] = activate(model.arch.activation, z[j]);
  }
}

IONFIELD_NN_CLONES void backward(const Model& model, std::size_t s, std::size_t n, Workspace& ws, const double* dy, double* grad) {
  const auto& slots = model.layout.layers[s];
  const double* p = model.params.data();
  std::vector<double> delta(dy, dy + n);  // d loss / d z of the current layer (the last layer is linear)
  std::vector<double> below, Wt;
  for (std::size_t l = slots.size(); l-- > 0;) {
    const auto& slot = slots[l];
    const std::size_t in = slot.in, out = slot.out;
    const double* W = p + slot.w;
    double* gW = grad + slot.w;
    double* gb = grad + slot.b;
    const auto& prev = ws.a[l];
    for (std::size_t i = 0; i < n; ++i) {
      const double* di = delta.data() + i * out;
      const double* xi = prev.data() + i * in;
      for (std::size_t o = 0; o < out; ++o) gb[o] += di[o];
      for (std::size_t k = 0; k < in; ++k) {
        const double xk = xi[k];
        double* gWk = gW + k * out;
        for (std::size_t o = 0; o < out; ++o) gWk[o] += xk * di[o];
      }
    }
    if (l == 0) break;  // no gradient with respect to the input is needed
    below.assign(n * in, 0.0);
    // W transposed once per block so that the inner loop runs over contiguous memory (vectorises;
    // a dot product over o would be a serial reduction under strict floating point).
    Wt.resize(in * out);
    for (std::size_t k = 0; k < in; ++k)
      for (std::size_t o = 0; o < out; ++o) Wt[o * in + k] = W[k * out + o];
    const auto& zprev = ws.z[l - 1];
    for (std::size_t i = 0; i < n; ++i) {
      const double* di = delta.data() + i * out;
      double* bi = below.data() + i * in;
      for (std::size_t o = 0; o < out; ++o) {
        const double d = di[o];
        const double* Wo = Wt.data() + o * in;
        for (std::size_t k = 0; k < in; ++k) bi[k] += Wo[k] * d;
      }
      for (std::size_t k = 0; k < in; ++k) bi[k] *= derivative(model.arch.activation, zprev[i * in + k], prev[i * in + k]);
    }
    delta.swap(below);
  }
}

}  // namespace detail

void Model::predict(std::size_t s, const float* x, std::size_t n, double* out) const {
  if (s >= species()) throw std::out_of_range("species index out of range");
  detail::Workspace ws;
  detail::forward(*this, s, x, n, ws);
  const auto& y = ws.a.back();
  for (std::size_t i = 0; i < n; ++i) out[i] = target_shift + target_scale * y[i];
}

void standardise_from(Model& model, const std::vector<SystemData>& train) {
  const std::size_t S = model.species();
  model.feature_mean.assign(S, {});
  model.feature_scale.assign(S, {});
  double lsum = 0, lsq = 0;
  double lcount = 0;
  // Rows come whole from memory or in chunks of frames from disk (frames.hpp), in the same order:
  // the sums, and so the standardisation, are the same bits either way.
  detail::FrameReader reader;
  for (std::size_t s = 0; s < S; ++s) {
    const std::size_t F = static_cast<std::size_t>(model.arch.features[s]);
    std::vector<double> sum(F, 0.0), sq(F, 0.0);
    double count = 0;
    // Two passes (mean, then spread about it) keep the variance accurate for large offsets.
    for (const auto& sys : train) {
      detail::for_rows(reader, sys, s, model.arch.features, [&](const float* x, const double*, std::size_t rows) {
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t f = 0; f < F; ++f) sum[f] += x[r * F + f];
      });
      count += static_cast<double>(sys.frames * sys.species[s].ions);
    }
    if (count == 0) throw std::invalid_argument("species " + std::to_string(s) + " has no ions in the training systems");
    for (std::size_t f = 0; f < F; ++f) sum[f] /= count;
    for (const auto& sys : train) {
      detail::for_rows(reader, sys, s, model.arch.features, [&](const float* x, const double* y, std::size_t rows) {
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t f = 0; f < F; ++f) {
            const double dx = x[r * F + f] - sum[f];
            sq[f] += dx * dx;
          }
        for (std::size_t r = 0; r < rows; ++r) lsum += y[r];
      });
      lcount += static_cast<double>(sys.frames * sys.species[s].ions);
    }
    model.feature_mean[s] = sum;
    model.feature_scale[s].resize(F);
    for (std::size_t f = 0; f < F; ++f) {
      const double sd = std::sqrt(sq[f] / count);
      model.feature_scale[s][f] = sd > 1e-12 * (1.0 + std::fabs(sum[f])) ? sd : 1.0;  // constant column
    }
  }
  const double lmean = lsum / lcount;
  for (const auto& sys : train)
    for (std::size_t s = 0; s < sys.species.size(); ++s)
      detail::for_rows(reader, sys, s, model.arch.features, [&](const float*, const double* y, std::size_t rows) {
        for (std::size_t r = 0; r < rows; ++r) lsq += (y[r] - lmean) * (y[r] - lmean);
      });
  const double lsd = std::sqrt(lsq / lcount);
  model.target_shift = lmean;
  model.target_scale = lsd > 0 ? lsd : 1.0;
}

void initialise(Model& model, std::uint64_t seed) {
  model.layout = Layout::of(model.arch);
  model.params.assign(model.layout.size, 0.0);
  detail::SplitMix64 rng(seed ^ 0x5EEDF00DULL);
  for (const auto& slots : model.layout.layers)
    for (std::size_t l = 0; l < slots.size(); ++l) {
      const auto& slot = slots[l];
      // Xavier-uniform; the output layer starts small so the first predictions sit at the target mean.
      double limit = std::sqrt(6.0 / (slot.in + slot.out));
      if (l + 1 == slots.size()) limit *= 0.1;
      for (std::size_t k = 0; k < static_cast<std::size_t>(slot.in) * slot.out; ++k)
        model.params[slot.w + k] = (2.0 * rng.uniform() - 1.0) * limit;
    }
}

}  // namespace ionfield::nn
