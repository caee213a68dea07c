// Metropolis swap Monte Carlo and the sampling of equilibrium states from it.
#include <cmath>
#include <stdexcept>

#include "ionfield/kinetics.hpp"
#include "lattice/parallel.hpp"
#include "lattice/rng.hpp"

namespace ionfield::lattice {

double swap_monte_carlo(const Lattice& lattice, const EnergyModel& model, double temperature, std::vector<std::uint8_t>& occ,
                        long long sweeps, std::uint64_t seed) {
  if (!model.interacting() || sweeps <= 0) return 1.0;
  const double kT = kBoltzmannEv * temperature;
  const auto n = static_cast<std::uint64_t>(lattice.num_sites());
  Rng rng(seed);
  long long tried = 0, accepted = 0;
  const long long attempts = sweeps * static_cast<long long>(n);
  for (long long k = 0; k < attempts; ++k) {
    if ((k & 4095) == 0) check_cancelled();
    const int i = static_cast<int>(rng.below(n)), j = static_cast<int>(rng.below(n));
    if (occ[i] == occ[j]) continue;
    ++tried;
    const double de = swap_energy_change(lattice, model, occ.data(), i, j);
    if (de <= 0 || rng.uniform() < std::exp(-de / kT)) {
      std::swap(occ[i], occ[j]);
      ++accepted;
    }
  }
  return tried ? static_cast<double>(accepted) / static_cast<double>(tried) : 1.0;
}

std::vector<std::vector<std::uint8_t>> sample_states(const Lattice& lattice, const EnergyModel& model, double temperature,
                                                    const StateSampling& o) {
  model.validate(lattice);
  if (o.states < 1) throw std::invalid_argument("at least one state must be sampled");
  const int first = o.first, last = o.last < 0 ? o.states : o.last;
  if (first < 0 || first > last || last > o.states) throw std::invalid_argument("the states range must lie within the states sampled");
  std::vector<std::vector<std::uint8_t>> states(last - first);
  if (!model.interacting()) {
    // Every configuration is equally likely: independent random permutations are exact samples.
    parallel_for(last - first, o.threads, [&](long long k, int) { states[k] = random_occupancy(lattice, o.counts, stream_seed(o.seed, first + k)); });
    return states;
  }
  if (o.chains < 1) throw std::invalid_argument("at least one Monte Carlo chain is needed");
  const int chains = std::min(o.chains, o.states);
  const int per_chain = (o.states + chains - 1) / chains;
  // The chains that hold states [first, last): each runs from its start (its seed is its index).
  const int chain0 = first / per_chain, chain1 = last == first ? chain0 : (last - 1) / per_chain + 1;
  parallel_for(chain1 - chain0, o.threads, [&](long long j, int) {
    const long long c = chain0 + j;
    auto occ = random_occupancy(lattice, o.counts, stream_seed(o.seed, c));
    swap_monte_carlo(lattice, model, temperature, occ, o.equilibration_sweeps, stream_seed(o.seed ^ 0x5eedULL, c));
    for (int k = 0; k < per_chain; ++k) {
      const long long index = c * per_chain + k;
      if (index >= last) break;
      if (k > 0) swap_monte_carlo(lattice, model, temperature, occ, o.decorrelation_sweeps, stream_seed(o.seed ^ 0xdecULL, index));
      if (index >= first) states[index - first] = occ;
    }
  });
  return states;
}

}  // namespace ionfield::lattice
