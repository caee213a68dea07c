// sample_states over a range of states (kinosons generate --shard): the states [first, last) of a
// run are exactly those of the whole run, for independent states (non-interacting) and for swap-MC
// chains (interacting) whether or not the range falls on chain boundaries; bad ranges are refused.
#include <stdexcept>

#include "check.hpp"
#include "ionfield/kinetics.hpp"

using namespace ionfield::lattice;

static void same_slices(const Lattice& lat, const EnergyModel& m, StateSampling ss) {
  const auto whole = sample_states(lat, m, 800, ss);
  CHECK(static_cast<int>(whole.size()) == ss.states);
  // Chain boundaries (per chain ⌈states/chains⌉) and ranges across them, empty ones included.
  const int ranges[][2] = {{0, ss.states}, {0, 7}, {7, 8}, {5, 19}, {12, ss.states}, {ss.states, ss.states}, {3, 3}};
  for (const auto& r : ranges) {
    StateSampling part = ss;
    part.first = r[0];
    part.last = r[1];
    const auto got = sample_states(lat, m, 800, part);
    CHECK(static_cast<int>(got.size()) == r[1] - r[0]);
    for (int k = r[0]; k < r[1]; ++k) CHECK(got[k - r[0]] == whole[k]);
  }
}

int main() {
  Lattice lat(LatticeKind::FCC, 3, 2);
  EnergyModel m;
  m.species = 2;
  m.nu = {1.0, 1.0};
  m.e0 = {0.7, 0.8};
  StateSampling ss;
  ss.counts = {53, 54};
  ss.states = 23;
  ss.chains = 4;  // 6 states per chain: 0–5, 6–11, 12–17, 18–22
  ss.equilibration_sweeps = 20;
  ss.decorrelation_sweeps = 3;
  ss.seed = 9;
  same_slices(lat, m, ss);  // non-interacting: independent states
  m.pair = {0.0, -0.02, -0.02, 0.0};  // one shell, J_AB < 0: swap-MC chains
  same_slices(lat, m, ss);
  StateSampling bad = ss;
  bad.first = 5, bad.last = 4;
  CHECK_THROWS(sample_states(lat, m, 800, bad));
  bad.first = 0, bad.last = ss.states + 1;
  CHECK_THROWS(sample_states(lat, m, 800, bad));
  return check::summary("state ranges");
}
