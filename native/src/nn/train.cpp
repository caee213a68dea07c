// Training: objectives and their gradients over frames (data-parallel, fixed reduction order),
// Adam, epochs of shuffled mini-batches, validation on held-out systems, early stopping, checkpoints.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

#include "ionfield/cancel.hpp"
#include "ionfield/nn.hpp"
#include "nn/checkpoint.hpp"
#include "nn/forward.hpp"
#include "nn/frames.hpp"
#include "nn/rng.hpp"

namespace ionfield::nn {
namespace {

int resolve_threads(int threads) {
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}

// Runs fn(k, worker) for k in [0, count) on up to `threads` threads. Which thread does which k does
// not matter to callers: each k writes only its own slot.
template <typename Fn>
void parallel_for(std::size_t count, int threads, Fn fn) {
  const int workers = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), count));
  if (workers <= 1) {
    for (std::size_t k = 0; k < count; ++k) fn(k, 0);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto run = [&](int w) {
    try {
      for (std::size_t k; (k = next.fetch_add(1)) < count && !failed;) fn(k, w);
    } catch (...) {
      if (!failed.exchange(true)) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// Loss of one frame (unnormalised: Σ_i err² for per-ion, (mean err)² for global) and, if grad is not
// null, its gradient (also unnormalised) added to grad. pred_sum/target_sum return Σλ̂ and Σλ.
double frame_loss(const Model& model, const SystemData& sys, std::size_t t, Objective objective,
                  detail::Workspace& ws, std::vector<double>& dy, double* grad, double* pred_sum, double* target_sum) {
  const std::size_t S = model.species();
  double loss = 0, psum = 0, lsum = 0;
  const double N = static_cast<double>(sys.ions());
  // Global: first the frame's mean error (needs every species' forward), then the backward passes.
  double mean_err = 0;
  if (objective == Objective::Global) {
    for (std::size_t s = 0; s < S; ++s) {
      const auto& d = sys.species[s];
      if (d.ions == 0) continue;
      const std::size_t F = static_cast<std::size_t>(model.arch.features[s]);
      detail::forward(model, s, d.features.data() + t * d.ions * F, d.ions, ws);
      const auto& y = ws.a.back();
      for (std::size_t i = 0; i < d.ions; ++i) {
        psum += model.target_shift + model.target_scale * y[i];
        lsum += d.lambda[t * d.ions + i];
      }
    }
    mean_err = (psum - lsum) / N;
    loss = mean_err * mean_err;
  }
  if (objective == Objective::PerIon || grad) {
    for (std::size_t s = 0; s < S; ++s) {
      const auto& d = sys.species[s];
      if (d.ions == 0) continue;
      const std::size_t F = static_cast<std::size_t>(model.arch.features[s]);
      detail::forward(model, s, d.features.data() + t * d.ions * F, d.ions, ws);  // again for global: cheap, keeps ws simple
      const auto& y = ws.a.back();
      dy.resize(d.ions);
      for (std::size_t i = 0; i < d.ions; ++i) {
        if (objective == Objective::PerIon) {
          const double pred = model.target_shift + model.target_scale * y[i];
          const double target = d.lambda[t * d.ions + i];
          const double err = pred - target;
          loss += err * err;
          psum += pred;
          lsum += target;
          dy[i] = 2.0 * err * model.target_scale;
        } else {
          dy[i] = 2.0 * mean_err / N * model.target_scale;
        }
      }
      if (grad) detail::backward(model, s, d.ions, ws, dy.data(), grad);
    }
  }
  if (pred_sum) *pred_sum = psum;
  if (target_sum) *target_sum = lsum;
  return loss;
}

double normaliser(const std::vector<SystemData>& systems, const std::vector<FrameRef>& frames, Objective objective) {
  if (objective == Objective::Global) return static_cast<double>(frames.size());
  double ions = 0;
  for (const auto& f : frames) ions += static_cast<double>(systems[f.system].ions());
  return ions;
}

std::uint64_t run_fingerprint(const Architecture& arch, const std::vector<SystemData>& train,
                              const std::vector<SystemData>& val, const TrainOptions& o) {
  detail::Fingerprint fp;
  for (int f : arch.features) fp.add_value(f);
  fp.add_value(-1);
  for (int h : arch.hidden) fp.add_value(h);
  fp.add_value(static_cast<int>(arch.activation));
  fp.add_value(static_cast<int>(o.objective));
  fp.add_value(o.batch_frames);
  fp.add_value(o.learning_rate);
  fp.add_value(o.beta1);
  fp.add_value(o.beta2);
  fp.add_value(o.epsilon);
  fp.add_value(o.weight_decay);
  fp.add_value(o.seed);
  for (const auto* set : {&train, &val}) {
    fp.add_value(set->size());
    for (const auto& sys : *set) {
      fp.add(sys.name.data(), sys.name.size());
      fp.add_value(sys.frames);
      for (std::size_t s = 0; s < sys.species.size(); ++s) {
        const auto& d = sys.species[s];
        fp.add_value(d.ions);
        if (!d.on_disk()) {
          fp.add(d.features.data(), d.features.size() * sizeof(float));
          fp.add(d.lambda.data(), d.lambda.size() * sizeof(double));
          continue;
        }
        // FNV-1a runs byte by byte: all features, then all λ, as the in-memory arrays would give.
        detail::FrameReader reader;
        detail::for_rows(reader, sys, s, arch.features, [&](const float* x, const double*, std::size_t rows) {
          fp.add(x, rows * static_cast<std::size_t>(arch.features[s]) * sizeof(float));
        });
        detail::for_rows(reader, sys, s, arch.features, [&](const float*, const double* y, std::size_t rows) {
          fp.add(y, rows * sizeof(double));
        });
      }
    }
  }
  return fp.value();
}

void check_data(const Architecture& arch, const std::vector<SystemData>& systems, const char* what) {
  for (const auto& sys : systems) {
    if (sys.species.size() != arch.features.size())
      throw std::invalid_argument(std::string(what) + " system '" + sys.name + "' has data for " +
                                  std::to_string(sys.species.size()) + " species, the model has " +
                                  std::to_string(arch.features.size()));
    if (sys.ions() == 0) throw std::invalid_argument(std::string(what) + " system '" + sys.name + "' has no ions");
    for (std::size_t s = 0; s < sys.species.size(); ++s) {
      const auto& d = sys.species[s];
      if (d.on_disk()) {
        // The caller checked the headers; a file shorter than its data would fail mid-training.
        const std::uint64_t fx = sys.frames * d.ions * static_cast<std::uint64_t>(arch.features[s]) * sizeof(float);
        const std::uint64_t fy = sys.frames * d.ions * sizeof(double);
        if (d.ions > 0 && (detail::file_bytes(d.features_file) < d.features_offset + fx || detail::file_bytes(d.lambda_file) < d.lambda_offset + fy))
          throw std::invalid_argument(std::string(what) + " system '" + sys.name + "', species " + std::to_string(s) + ": " +
                                      d.features_file + " or " + d.lambda_file + " holds fewer bytes than frames x ions x features");
        continue;
      }
      if (d.features.size() != sys.frames * d.ions * static_cast<std::size_t>(arch.features[s]) ||
          d.lambda.size() != sys.frames * d.ions)
        throw std::invalid_argument(std::string(what) + " system '" + sys.name + "', species " + std::to_string(s) +
                                    ": array sizes do not match frames x ions x features");
    }
  }
}

struct Validation {
  double loss = std::numeric_limits<double>::quiet_NaN();
  double median_rel = std::numeric_limits<double>::quiet_NaN();
};

bool any_on_disk_system(const SystemData& sys) {
  for (const auto& d : sys.species)
    if (d.on_disk()) return true;
  return false;
}

Validation validate(const Model& model, const std::vector<SystemData>& val, Objective objective, int threads) {
  Validation out;
  detail::FrameReader reader;
  if (val.empty()) return out;
  std::vector<FrameRef> frames;
  std::vector<double> rel;
  double total = 0, norm = 0;
  for (std::uint32_t v = 0; v < val.size(); ++v) {
    frames.clear();
    for (std::uint32_t t = 0; t < val[v].frames; ++t) frames.push_back({v, t});
    std::vector<double> loss(frames.size()), psum(frames.size()), lsum(frames.size());
    std::vector<detail::Workspace> ws(static_cast<std::size_t>(threads));
    std::vector<std::vector<double>> dy(static_cast<std::size_t>(threads));
    // On disk: a chunk of frames at a time; each frame's numbers land in its own slot, so the sums
    // below see the same values in the same order as from memory.
    const std::size_t chunk = any_on_disk_system(val[v]) ? 64 : frames.size();
    for (std::size_t c0 = 0; c0 < frames.size(); c0 += chunk) {
      const std::size_t n = std::min(chunk, frames.size() - c0);
      SystemData part;
      const SystemData* sys = &val[v];
      if (chunk < frames.size() || any_on_disk_system(val[v])) {
        part.name = val[v].name;
        part.species.resize(val[v].species.size());
        for (std::size_t s = 0; s < part.species.size(); ++s) part.species[s].ions = val[v].species[s].ions;
        detail::append_frames(reader, val[v], c0, n, model.arch.features, part);
        sys = &part;
      }
      const std::size_t base = sys == &part ? 0 : c0;
      parallel_for(n, threads, [&](std::size_t k, int w) {
        loss[c0 + k] = frame_loss(model, *sys, base + k, objective, ws[w], dy[w], nullptr, &psum[c0 + k], &lsum[c0 + k]);
      });
    }
    double P = 0, L = 0;
    for (std::size_t k = 0; k < frames.size(); ++k) {
      total += loss[k];
      P += psum[k];
      L += lsum[k];
    }
    norm += normaliser(val, frames, objective);
    rel.push_back(std::fabs(P - L) / std::max(std::fabs(L), 1e-300));  // ratios of means: counts cancel
  }
  out.loss = total / norm;
  std::sort(rel.begin(), rel.end());
  const std::size_t n = rel.size();
  out.median_rel = n % 2 ? rel[n / 2] : 0.5 * (rel[n / 2 - 1] + rel[n / 2]);
  return out;
}

}  // namespace

double loss_and_gradient(const Model& model, const std::vector<SystemData>& systems, const std::vector<FrameRef>& frames,
                         Objective objective, std::vector<double>* gradient, int threads) {
  threads = resolve_threads(threads);
  const std::size_t P = model.params.size();
  const std::size_t B = frames.size();
  std::vector<double> loss(B, 0.0);
  // One gradient slot per frame, summed afterwards in frame order: the result is the same for any
  // number of threads (floating-point addition is not associative, so the order must be fixed).
  std::vector<double> slots(gradient ? B * P : 0, 0.0);
  std::vector<detail::Workspace> ws(static_cast<std::size_t>(threads));
  std::vector<std::vector<double>> dy(static_cast<std::size_t>(threads));
  parallel_for(B, threads, [&](std::size_t k, int w) {
    const auto& f = frames[k];
    loss[k] = frame_loss(model, systems[f.system], f.frame, objective, ws[w], dy[w],
                         gradient ? slots.data() + k * P : nullptr, nullptr, nullptr);
  });
  const double norm = normaliser(systems, frames, objective);
  double total = 0;
  for (double l : loss) total += l;
  if (gradient) {
    gradient->assign(P, 0.0);
    double* g = gradient->data();
    for (std::size_t k = 0; k < B; ++k) {
      const double* slot = slots.data() + k * P;
      for (std::size_t p = 0; p < P; ++p) g[p] += slot[p];
    }
    for (std::size_t p = 0; p < P; ++p) g[p] /= norm;
  }
  return total / norm;
}

TrainResult train(const Architecture& arch, const std::vector<SystemData>& train_set,
                  const std::vector<SystemData>& validation, const TrainOptions& options, const EpochCallback& on_epoch) {
  if (train_set.empty()) throw std::invalid_argument("no training systems");
  if (options.batch_frames <= 0) throw std::invalid_argument("batch size must be positive");
  if (options.epochs < 0) throw std::invalid_argument("epochs must be >= 0");
  check_data(arch, train_set, "training");
  check_data(arch, validation, "validation");
  const int threads = resolve_threads(options.threads);

  TrainResult result;
  Model& model = result.model;
  model.arch = arch;
  model.layout = Layout::of(arch);
  standardise_from(model, train_set);
  initialise(model, options.seed);
  const std::size_t P = model.params.size();

  std::vector<FrameRef> all;
  for (std::uint32_t s = 0; s < train_set.size(); ++s)
    for (std::uint32_t t = 0; t < train_set[s].frames; ++t) all.push_back({s, t});

  detail::TrainState st;
  st.fingerprint = run_fingerprint(arch, train_set, validation, options);
  st.m.assign(P, 0.0);
  st.v.assign(P, 0.0);
  st.best_val = std::numeric_limits<double>::infinity();
  if (!options.checkpoint.empty() && detail::load_checkpoint(options.checkpoint, st.fingerprint, st)) {
    if (st.params.size() != P) throw std::runtime_error(options.checkpoint + ": checkpoint has the wrong parameter count");
    model.params = st.params;
    result.resumed_from_epoch = st.epoch;
  } else {
    st.best_params = model.params;
  }
  result.history = st.history;
  bool stop = !st.history.empty() && options.patience > 0 && st.bad_epochs >= options.patience;
  result.stopped_early = stop;

  std::vector<double> grad;
  std::vector<FrameRef> batch;
  // Training sets on disk: each mini-batch's frames are read into small systems of their own (the
  // batch order and every number are the in-memory run's; only the bytes' source differs).
  const bool on_disk = detail::any_on_disk(train_set);
  detail::FrameReader reader;
  std::vector<SystemData> batch_systems;
  std::vector<FrameRef> batch_frames;
  for (int epoch = st.epoch + 1; epoch <= options.epochs && !stop; ++epoch) {
    // The batch order depends on the seed and the epoch only, so a resumed run draws the same batches.
    std::vector<FrameRef> order = all;
    detail::SplitMix64 rng(options.seed * 0x2545F4914F6CDD1DULL + static_cast<std::uint64_t>(epoch));
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    double loss_sum = 0;
    int batches = 0;
    for (std::size_t start = 0; start < order.size(); start += options.batch_frames) {
      const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(options.batch_frames));
      check_cancelled();  // a mini-batch takes milliseconds: an abort stops training at once
      batch.assign(order.begin() + start, order.begin() + end);
      if (on_disk) {
        detail::gather(reader, train_set, batch, arch.features, batch_systems, batch_frames);
        loss_sum += loss_and_gradient(model, batch_systems, batch_frames, options.objective, &grad, threads);
      } else {
        loss_sum += loss_and_gradient(model, train_set, batch, options.objective, &grad, threads);
      }
      ++batches;
      ++st.step;
      const double t = static_cast<double>(st.step);
      const double c1 = 1.0 - std::pow(options.beta1, t), c2 = 1.0 - std::pow(options.beta2, t);
      for (const auto& slots : model.layout.layers)
        for (const auto& slot : slots)
          for (std::size_t k = 0; k < static_cast<std::size_t>(slot.in) * slot.out; ++k)
            grad[slot.w + k] += options.weight_decay * model.params[slot.w + k];
      for (std::size_t p = 0; p < P; ++p) {
        st.m[p] = options.beta1 * st.m[p] + (1 - options.beta1) * grad[p];
        st.v[p] = options.beta2 * st.v[p] + (1 - options.beta2) * grad[p] * grad[p];
        model.params[p] -= options.learning_rate * (st.m[p] / c1) / (std::sqrt(st.v[p] / c2) + options.epsilon);
      }
    }
    EpochReport rep;
    rep.epoch = epoch;
    rep.epochs_total = options.epochs;
    rep.train_loss = loss_sum / batches;
    const Validation val = validate(model, validation, options.objective, threads);
    rep.val_loss = val.loss;
    rep.val_lambda_rel_error = val.median_rel;
    // Without validation systems every epoch counts as the best (the last one is kept).
    rep.improved = validation.empty() || val.loss < st.best_val;
    if (rep.improved) {
      if (!validation.empty()) st.best_val = val.loss;
      st.best_epoch = epoch;
      st.best_params = model.params;
      st.bad_epochs = 0;
    } else {
      ++st.bad_epochs;
    }
    result.history.push_back(rep);
    st.epoch = epoch;
    st.history = result.history;
    st.params = model.params;
    if (!options.checkpoint.empty()) detail::save_checkpoint(options.checkpoint, st);
    if (options.patience > 0 && st.bad_epochs >= options.patience) {
      result.stopped_early = true;
      stop = true;
    }
    if (on_epoch && !on_epoch(rep)) stop = true;
  }
  result.best_epoch = st.best_epoch;
  if (!st.best_params.empty()) model.params = st.best_params;
  return result;
}

}  // namespace ionfield::nn
