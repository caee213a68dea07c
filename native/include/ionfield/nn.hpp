#pragma once
// The local-conductivity network (SCIENCE.md, "The model"): one small MLP per centre species maps the
// symmetry functions G_i of ion i to λ̂_i. Training is native: forward/backward in double precision,
// Adam over mini-batches of frames drawn from all training systems, per-ion or global objective,
// early stopping on held-out systems, deterministic for a seed whatever the thread count, and
// checkpoints from which an interrupted run resumes bit-identically.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ionfield::nn {

enum class Activation { Tanh, Softplus, ShiftedSoftplus, Silu };
enum class Objective { PerIon, Global };

Activation parse_activation(const std::string& name);  // "tanh", "softplus", "shifted-softplus", "silu"
std::string activation_name(Activation a);
Objective parse_objective(const std::string& name);  // "per-ion", "global"
std::string objective_name(Objective o);

// Architecture: for every species, inputs -> hidden[0] -> ... -> 1 (the last layer is linear).
// Every network's input is standardised, (G - mean) / scale, and its output is mapped to the target
// scale, λ̂ = target_shift + target_scale * y, so that the raw network works with O(1) numbers.
struct Architecture {
  std::vector<int> features;  // per species: number of input columns
  std::vector<int> hidden;    // widths of the hidden layers, shared by all species
  Activation activation = Activation::Tanh;
};

// Where each species' weights live in the flat parameter vector. Layer l of species s has a weight
// matrix W [in x out] (row-major, W[i*out + o]) followed by its bias b [out].
struct Layout {
  struct LayerSlot {
    int in = 0, out = 0;
    std::size_t w = 0, b = 0;  // offsets into the parameter vector
  };
  std::vector<std::vector<LayerSlot>> layers;  // [species][layer]
  std::size_t size = 0;
  static Layout of(const Architecture& arch);
};

// A trained (or being-trained) model: everything the forward pass needs.
struct Model {
  Architecture arch;
  Layout layout;
  std::vector<double> params;                     // layout.size values
  std::vector<std::vector<double>> feature_mean;  // [species][feature]
  std::vector<std::vector<double>> feature_scale;
  double target_shift = 0.0, target_scale = 1.0;

  std::size_t species() const { return arch.features.size(); }
  // λ̂ for n ions of species s: x is [n x features[s]] (row-major float32, the dataset and ONNX type).
  void predict(std::size_t s, const float* x, std::size_t n, double* out) const;
};

// One system's data: per species, features [frames x ions x F] and targets λ [frames x ions].
// The arrays are held in memory, or (training sets larger than memory) left on disk: then
// `features`/`lambda` stay empty and the trainer reads the frames it needs from the files, at the
// byte offset of element 0 (a .npy's data, its header checked by the caller). Same numbers either
// way, so the same model bit for bit; on disk, memory no longer grows with the training set.
struct SpeciesData {
  std::size_t ions = 0;
  std::vector<float> features;
  std::vector<double> lambda;
  std::string features_file, lambda_file;
  std::uint64_t features_offset = 0, lambda_offset = 0;
  bool on_disk() const { return !features_file.empty(); }
};
struct SystemData {
  std::string name;
  std::size_t frames = 0;
  std::vector<SpeciesData> species;  // indexed like Architecture::features (ions may be 0)
  std::size_t ions() const;
};

struct TrainOptions {
  Objective objective = Objective::PerIon;
  int epochs = 200;
  int batch_frames = 16;       // frames per mini-batch (all ions of each frame)
  double learning_rate = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double weight_decay = 0.0;   // L2 on weights (not biases), added to the gradient
  int patience = 20;           // epochs without a better validation loss before stopping; 0 = never stop
  std::uint64_t seed = 1;
  int threads = 0;             // 0 = hardware concurrency; results do not depend on it
  std::string checkpoint;      // path; empty = no checkpoints. Written atomically after every epoch.
};

struct EpochReport {
  int epoch = 0;          // 1-based
  double train_loss = 0;  // mean objective over the epoch's batches
  double val_loss = 0;    // objective on the validation systems (NaN without any)
  double val_lambda_rel_error = 0;  // median over validation systems of |Λ̂ - Λ| / |Λ| (NaN without any)
  bool improved = false;
  int epochs_total = 0;
};

struct TrainResult {
  Model model;                     // the parameters of the best validation epoch (the last without validation)
  std::vector<EpochReport> history;
  int best_epoch = 0;
  bool stopped_early = false;
  int resumed_from_epoch = 0;      // > 0 when the run continued a checkpoint
};

// Called after every epoch; return false to stop (the result then holds the best model so far).
using EpochCallback = std::function<bool(const EpochReport&)>;

// Feature standardisation from training data (mean and standard deviation over all ions and frames;
// a constant column gets scale 1) and target shift/scale (mean and standard deviation of λ).
void standardise_from(Model& model, const std::vector<SystemData>& train);
// Random initial weights (Xavier-uniform from a seeded generator of our own, so the same seed gives
// the same numbers on every platform and standard library).
void initialise(Model& model, std::uint64_t seed);

TrainResult train(const Architecture& arch, const std::vector<SystemData>& train_set,
                  const std::vector<SystemData>& validation, const TrainOptions& options,
                  const EpochCallback& on_epoch = {});

// Objective and its gradient with respect to the parameters for a list of (system, frame) pairs:
// per-ion Σ_i (λ̂_i − λ_i)² / (ions), global Σ_t ((1/N)Σ λ̂_i − (1/N)Σ λ_i)² / (frames).
// Exposed for the finite-difference gradient check.
struct FrameRef {
  std::uint32_t system, frame;
};
double loss_and_gradient(const Model& model, const std::vector<SystemData>& systems, const std::vector<FrameRef>& frames,
                         Objective objective, std::vector<double>* gradient, int threads = 1);

}  // namespace ionfield::nn
