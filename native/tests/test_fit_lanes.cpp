// The fit's accumulation lanes (kinosons fit --shard): the training sums of any run of whole lanes
// (accumulate_training over [first_lane, last_lane)) are the single run's lane sums bit for bit,
// for swap-MC chains cut anywhere and for a KMC-chosen jump per state; a study fitted from every
// lane's sums (given_sums) reports the single study's values bit for bit; networks and the
// residual bias are refused, naming the model.
#include <stdexcept>

#include "check.hpp"
#include "ionfield/kinosons.hpp"

using namespace ionfield::lattice;

static bool same(const QuadraticStats& a, const QuadraticStats& b) {
  return a.functions == b.functions && a.channels == b.channels && a.states == b.states && a.transitions == b.transitions && a.norm == b.norm &&
         a.A == b.A && a.B == b.B && a.C == b.C && a.corrector_solves == b.corrector_solves;
}

static void check_study(const Lattice& lat, const EnergyModel& m, StudyOptions o) {
  const StudyResult whole = run_study(lat, m, o);
  const TrainingSums all = accumulate_training(lat, m, o, 0, kFunctionalLanes);
  CHECK(all.first_state == 0 && all.last_state == o.training.states);
  // Shards of 1, 3, 5 and 7 lanes, and their concatenation in lane order.
  const int cuts[] = {0, 1, 4, 9, 16};
  std::vector<std::vector<QuadraticStats>> lanes(all.lanes.size());
  for (int c = 0; c + 1 < 5; ++c) {
    const TrainingSums part = accumulate_training(lat, m, o, cuts[c], cuts[c + 1]);
    CHECK(part.first_state == lane_start(cuts[c], o.training.states));
    for (std::size_t k = 0; k < part.lanes.size(); ++k) {
      CHECK(static_cast<int>(part.lanes[k].size()) == cuts[c + 1] - cuts[c]);
      for (std::size_t l = 0; l < part.lanes[k].size(); ++l) {
        CHECK(same(part.lanes[k][l], all.lanes[k][cuts[c] + l]));
        lanes[k].push_back(part.lanes[k][l]);
      }
    }
  }
  StudyOptions merged = o;
  merged.given_sums = lanes;
  const StudyResult r = run_study(lat, m, merged);
  CHECK(r.models.size() == whole.models.size());
  for (std::size_t k = 0; k < r.models.size(); ++k) {
    CHECK(r.models[k].rank == whole.models[k].rank);
    CHECK(r.models[k].training_value == whole.models[k].training_value);
    for (std::size_t i = 0; i < r.models[k].validation.size(); ++i) {
      CHECK(r.models[k].validation[i].mean == whole.models[k].validation[i].mean);
      CHECK(r.models[k].validation[i].error == whole.models[k].validation[i].error);
    }
  }
  CHECK(r.best == whole.best && r.training_transitions == whole.training_transitions);
  CHECK(r.kinosons.size() == whole.kinosons.size());
  for (std::size_t i = 0; i < r.kinosons.size(); ++i) CHECK(r.kinosons[i].value == whole.kinosons[i].value);
  // Missing lanes are refused.
  merged.given_sums[0].pop_back();
  CHECK_THROWS(run_study(lat, m, merged));
}

int main() {
  Lattice lat(LatticeKind::FCC, 3, 3);
  EnergyModel m;
  m.species = 2;
  m.nu = {1.0, 0.5};
  m.e0 = {0.0, 0.05};
  m.pair = {0.0, -0.02, -0.02, 0.0};  // swap-MC chains
  StudyOptions o;
  o.target.species = 1;
  o.temperature = 900;
  o.training.counts = {53, 54};
  o.training.states = 37;  // lanes of 2 or 3 states; chains of 10 cut by the lanes
  o.training.chains = 4;
  o.training.equilibration_sweeps = 10;
  o.training.decorrelation_sweeps = 1;
  o.training.seed = 5;
  o.validation_states = 20;
  BasisSpec pairs;
  pairs.name = "pairs";
  pairs.vacancy_shells = 2, pairs.species_shells = 1, pairs.pair_first_shells = 1, pairs.pair_second_shells = 1;
  BasisSpec corrector;
  corrector.name = "corrector";
  corrector.vacancy_shells = 1, corrector.corrector_shells = 1;
  o.models = {pairs, corrector};
  check_study(lat, m, o);
  // Independent states, collective target, one KMC-chosen jump per state (seeded by the state's index).
  m.pair = {0.0, 0.0, 0.0, 0.0};
  o.target.collective = true;
  o.sampling = TransitionSampling::KmcChoice;
  o.models = {pairs};
  check_study(lat, m, o);
  // Refusals: lanes out of range, a model no sum can fit.
  CHECK_THROWS(accumulate_training(lat, m, o, 3, 3));
  CHECK_THROWS(accumulate_training(lat, m, o, 0, kFunctionalLanes + 1));
  BasisSpec bias;
  bias.name = "bias";
  bias.vacancy_shells = 1, bias.residual_bias = true;
  o.models = {bias};
  CHECK(unshardable_reason(bias).find("model 'bias'") == 0);
  CHECK_THROWS(accumulate_training(lat, m, o, 0, 4));
  return check::summary("fit lanes");
}
