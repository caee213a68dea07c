// The per-species MLP trainer: analytic gradients against central finite differences (both
// objectives, every activation), results independent of the thread count, bit-identical resume from a
// checkpoint, and recovery of a known conditional mean from very noisy targets by both objectives.
#include <cmath>
#include <cstdio>
#include <string>

#include "check.hpp"
#include "ionfield/nn.hpp"
#include "nn/fast_tanh.hpp"
#include "nn/rng.hpp"

using namespace ionfield::nn;

namespace {

// The ground truth: λ depends on the features through g_s; targets carry noise of std `noise`.
double truth(std::size_t s, const float* x) {
  return s == 0 ? 1.0 + 0.8 * std::tanh(x[0]) - 0.3 * x[1] * x[1] : 0.5 + 0.5 * x[0] * x[1];
}

SystemData make_system(const std::string& name, std::size_t frames, std::size_t n0, std::size_t n1, int F,
                       double noise, std::uint64_t seed) {
  ionfield::nn::detail::SplitMix64 rng(seed);
  auto gauss = [&] {  // Box–Muller from our portable generator
    const double u = 1.0 - rng.uniform(), v = rng.uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * M_PI * v);
  };
  SystemData sys;
  sys.name = name;
  sys.frames = frames;
  for (std::size_t s = 0; s < 2; ++s) {
    SpeciesData d;
    d.ions = s == 0 ? n0 : n1;
    for (std::size_t r = 0; r < frames * d.ions; ++r) {
      float x[8];
      for (int f = 0; f < F; ++f) {
        x[f] = static_cast<float>(gauss());
        d.features.push_back(x[f] * 2.0f + 3.0f);  // offset and scale: standardisation must undo them
      }
      for (int f = 0; f < F; ++f) x[f] = (d.features[r * F + f] - 3.0f) / 2.0f;
      d.lambda.push_back(truth(s, x) + noise * gauss());
    }
    sys.species.push_back(d);
  }
  return sys;
}

Model small_model(Activation act, int F, std::uint64_t seed, const std::vector<SystemData>& data) {
  Model m;
  m.arch.features = {F, F};
  m.arch.hidden = {5, 4};
  m.arch.activation = act;
  m.layout = Layout::of(m.arch);
  standardise_from(m, data);
  initialise(m, seed);
  // Larger output weights than the initialiser's so that every layer's gradient is well above rounding.
  ionfield::nn::detail::SplitMix64 rng(seed + 7);
  for (auto& p : m.params) p = 0.8 * (2 * rng.uniform() - 1);
  return m;
}

void gradient_check() {
  std::vector<SystemData> data = {make_system("a", 3, 3, 2, 3, 0.5, 11), make_system("b", 2, 2, 4, 3, 0.5, 12)};
  const std::vector<FrameRef> frames = {{0, 0}, {0, 2}, {1, 1}, {1, 0}};
  for (Activation act : {Activation::Tanh, Activation::Softplus, Activation::ShiftedSoftplus, Activation::Silu})
    for (Objective obj : {Objective::PerIon, Objective::Global}) {
      Model m = small_model(act, 3, 5, data);
      std::vector<double> g;
      loss_and_gradient(m, data, frames, obj, &g, 1);
      double worst = 0;
      for (std::size_t p = 0; p < m.params.size(); ++p) {
        const double h = 1e-5, keep = m.params[p];
        m.params[p] = keep + h;
        const double up = loss_and_gradient(m, data, frames, obj, nullptr, 1);
        m.params[p] = keep - h;
        const double down = loss_and_gradient(m, data, frames, obj, nullptr, 1);
        m.params[p] = keep;
        const double fd = (up - down) / (2 * h);
        worst = std::max(worst, std::fabs(fd - g[p]) / (std::fabs(fd) + std::fabs(g[p]) + 1e-6));
      }
      check::report(worst < 1e-6, "finite-difference gradient", __FILE__, __LINE__,
                    activation_name(act) + " " + objective_name(obj) + ": worst relative difference " + std::to_string(worst));
    }
}

void threads_and_resume() {
  std::vector<SystemData> train_set = {make_system("a", 12, 6, 6, 3, 1.0, 21), make_system("b", 10, 4, 8, 3, 1.0, 22)};
  std::vector<SystemData> val = {make_system("c", 6, 5, 5, 3, 1.0, 23)};
  Architecture arch{{3, 3}, {8, 8}, Activation::Silu};
  TrainOptions o;
  o.epochs = 6;
  o.batch_frames = 5;
  o.patience = 0;
  o.seed = 99;
  o.threads = 1;
  const TrainResult one = train(arch, train_set, val, o);
  o.threads = 3;
  const TrainResult three = train(arch, train_set, val, o);
  CHECK(one.model.params == three.model.params);  // bit-identical, not just close
  CHECK(one.history.size() == 6u);

  const std::string path = "test_nn_checkpoint.bin";
  std::remove(path.c_str());
  o.checkpoint = path;
  o.threads = 2;
  int seen = 0;
  const TrainResult part = train(arch, train_set, val, o, [&](const EpochReport&) { return ++seen < 3; });
  CHECK(part.history.size() == 3u);
  const TrainResult resumed = train(arch, train_set, val, o);
  CHECK(resumed.resumed_from_epoch == 3);
  CHECK(resumed.history.size() == 6u);
  CHECK(resumed.model.params == one.model.params);
  CHECK(resumed.best_epoch == one.best_epoch);
  // A different seed is a different run: the checkpoint must be refused, not silently reused.
  o.seed = 100;
  CHECK_THROWS(train(arch, train_set, val, o));
  std::remove(path.c_str());
}

// Noisy targets around a signal of O(0.5): both objectives must find the conditional mean. The
// global objective sees only frame sums, whose signal shrinks like 1/sqrt(N) against the noise, so it
// gets small frames, more of them and less noise (the trade-off SCIENCE.md asks us to measure).
// Compositions differ between systems: with the same ion counts everywhere, the global objective
// cannot tell a constant moved from one species' network to the other's (only frame sums are seen).
void recovery() {
  for (Objective obj : {Objective::PerIon, Objective::Global}) {
    const bool global = obj == Objective::Global;
    const std::size_t frames = global ? 400 : 200, ions = global ? 3 : 10;
    const std::size_t mix[5][2] = {{ions, ions}, {ions - 1, ions + 2}, {ions + 2, ions - 1}, {1, ions}, {ions, 2}};
    const double noise = global ? 1.0 : 3.0;
    std::vector<SystemData> train_set;
    for (int k = 0; k < 4; ++k) train_set.push_back(make_system("t" + std::to_string(k), frames, mix[k][0], mix[k][1], 2, noise, 100 + k));
    std::vector<SystemData> val = {make_system("v", frames, mix[4][0], mix[4][1], 2, noise, 200)};
    const SystemData probe = make_system("probe", 50, 10, 10, 2, 0.0, 300);  // noise-free: λ = g(G)
    Architecture arch{{2, 2}, {16, 16}, Activation::Tanh};
    TrainOptions o;
    o.objective = obj;
    o.epochs = global ? 40 : 40;
    o.batch_frames = 8;
    o.learning_rate = 3e-3;
    o.patience = 0;
    o.seed = 3;
    const TrainResult r = train(arch, train_set, val, o);
    double se = 0, var = 0, mean = 0;
    std::size_t n = 0;
    for (std::size_t s = 0; s < 2; ++s) {
      const auto& d = probe.species[s];
      std::vector<double> pred(probe.frames * d.ions);
      r.model.predict(s, d.features.data(), pred.size(), pred.data());
      for (std::size_t i = 0; i < pred.size(); ++i) {
        se += (pred[i] - d.lambda[i]) * (pred[i] - d.lambda[i]);
        mean += d.lambda[i];
        ++n;
      }
    }
    mean /= n;
    for (std::size_t s = 0; s < 2; ++s)
      for (double l : probe.species[s].lambda) var += (l - mean) * (l - mean);
    const double r2 = 1.0 - se / var;  // fraction of the true signal's variance explained
    std::printf("recovery %s: R^2 on noise-free probe = %.3f (best epoch %d)\n", objective_name(obj).c_str(), r2,
                r.best_epoch);
    check::report(r2 > 0.8, "conditional mean recovered", __FILE__, __LINE__, objective_name(obj) + " R^2 " + std::to_string(r2));
  }
}

// The vectorisable tanh of the forward pass against libm on a dense grid, the far tails and the
// special values.
void fast_tanh_accuracy() {
  using ionfield::nn::detail::fast_tanh;
  double worst = 0;
  for (double z = -25.0; z <= 25.0; z += 1.0 / 4096.0) worst = std::max(worst, std::fabs(fast_tanh(z) - std::tanh(z)));
  for (double z : {1e-300, 1e-12, 3e-8, 19.0, 19.2, 40.0, 1e3, 1e300})
    worst = std::max({worst, std::fabs(fast_tanh(z) - std::tanh(z)), std::fabs(fast_tanh(-z) - std::tanh(-z))});
  std::printf("fast_tanh: worst absolute difference from std::tanh %.2e\n", worst);
  check::report(worst < 1e-14, "fast_tanh agrees with std::tanh", __FILE__, __LINE__, std::to_string(worst));
  CHECK(fast_tanh(0.0) == 0.0);
  CHECK(fast_tanh(HUGE_VAL) == 1.0 && fast_tanh(-HUGE_VAL) == -1.0);
  CHECK(std::isnan(fast_tanh(std::nan(""))));
  // Odd by construction: the sign is copied, the magnitude computed from |z|.
  CHECK(fast_tanh(-0.37) == -fast_tanh(0.37));
}

}  // namespace

int main() {
  fast_tanh_accuracy();
  gradient_check();
  threads_and_resume();
  recovery();
  CHECK(parse_activation("ssp") == Activation::ShiftedSoftplus);
  CHECK_THROWS(parse_activation("relu6"));
  return check::summary("test_nn");
}
