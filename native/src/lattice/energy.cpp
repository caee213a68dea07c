// The energy model: pair interactions per neighbour shell, jump rates from the barrier
// E_a = E0 + ΔE/2, and random configurations.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "ionfield/kinetics.hpp"
#include "lattice/rng.hpp"

namespace ionfield::lattice {
namespace {

std::string format_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

}  // namespace

void EnergyModel::validate(const Lattice& lattice) const {
  if (species < 1 || species > 32) throw std::invalid_argument("the number of species must be between 1 and 32");
  if (static_cast<int>(nu.size()) != species || static_cast<int>(e0.size()) != species)
    throw std::invalid_argument("nu and e0 need one value per species (" + std::to_string(species) + ")");
  for (int s = 0; s < species; ++s) {
    if (!(nu[s] > 0) || !std::isfinite(nu[s])) throw std::invalid_argument("nu of species " + std::to_string(s) + " must be > 0");
    if (!std::isfinite(e0[s])) throw std::invalid_argument("e0 of species " + std::to_string(s) + " must be finite");
  }
  if (pair.size() % (static_cast<std::size_t>(species) * species) != 0)
    throw std::invalid_argument("pair interactions need shells × species × species values");
  if (pair_shells() > lattice.num_shells())
    throw std::invalid_argument("pair interactions use " + std::to_string(pair_shells()) + " shells but the lattice tabulates " +
                                std::to_string(lattice.num_shells()));
  for (int s = 0; s < pair_shells(); ++s)
    for (int a = 0; a < species; ++a)
      for (int b = 0; b < species; ++b) {
        if (!std::isfinite(J(s, a, b))) throw std::invalid_argument("pair interaction is not finite");
        if (J(s, a, b) != J(s, b, a)) throw std::invalid_argument("pair interactions must be symmetric (J[a][b] = J[b][a])");
      }
}

std::vector<std::uint8_t> random_occupancy(const Lattice& lattice, const std::vector<int>& counts, std::uint64_t seed) {
  const int n = lattice.num_sites();
  std::vector<std::uint8_t> occ(n, kVacancy);
  long long total = 0;
  for (int c : counts) {
    if (c < 0) throw std::invalid_argument("species counts must be >= 0");
    total += c;
  }
  if (total > n) throw std::invalid_argument("more atoms (" + std::to_string(total) + ") than sites (" + std::to_string(n) + ")");
  int k = 0;
  for (std::size_t s = 0; s < counts.size(); ++s)
    for (int i = 0; i < counts[s]; ++i) occ[k++] = static_cast<std::uint8_t>(s);
  Rng rng(seed);
  for (int i = n - 1; i > 0; --i) std::swap(occ[i], occ[static_cast<int>(rng.below(static_cast<std::uint64_t>(i) + 1))]);
  return occ;
}

void check_occupancy(const Lattice& lattice, const EnergyModel& model, const std::vector<std::uint8_t>& occ) {
  if (static_cast<int>(occ.size()) != lattice.num_sites())
    throw std::invalid_argument("state has " + std::to_string(occ.size()) + " sites, the lattice " + std::to_string(lattice.num_sites()));
  for (std::uint8_t o : occ)
    if (o != kVacancy && o >= model.species) throw std::invalid_argument("state holds species " + std::to_string(o) + " beyond the model");
}

std::vector<int> vacancy_sites(const std::vector<std::uint8_t>& occ) {
  std::vector<int> v;
  for (std::size_t i = 0; i < occ.size(); ++i)
    if (occ[i] == kVacancy) v.push_back(static_cast<int>(i));
  return v;
}

double site_energy(const Lattice& lattice, const EnergyModel& model, const std::uint8_t* occ, int site) {
  const std::uint8_t a = occ[site];
  if (a == kVacancy || !model.interacting()) return 0;
  double e = 0;
  for (int s = 0; s < model.pair_shells(); ++s) {
    const int* nb = lattice.neighbours(site, s);
    const int z = lattice.coordination(s);
    for (int k = 0; k < z; ++k) {
      const std::uint8_t b = occ[nb[k]];
      if (b != kVacancy) e += model.J(s, a, b);
    }
  }
  return e;
}

double total_energy(const Lattice& lattice, const EnergyModel& model, const std::uint8_t* occ) {
  double e = 0;
  for (int i = 0; i < lattice.num_sites(); ++i) e += site_energy(lattice, model, occ, i);
  return 0.5 * e;
}

// The i–j bond (if they are neighbours) appears in both site energies before and after the swap
// with the same value J(a,b) = J(b,a), so the difference of the two site sums is exact.
double swap_energy_change(const Lattice& lattice, const EnergyModel& model, std::uint8_t* occ, int i, int j) {
  if (!model.interacting() || occ[i] == occ[j]) return 0;
  const double before = site_energy(lattice, model, occ, i) + site_energy(lattice, model, occ, j);
  std::swap(occ[i], occ[j]);
  const double after = site_energy(lattice, model, occ, i) + site_energy(lattice, model, occ, j);
  std::swap(occ[i], occ[j]);
  return after - before;
}

RateModel::RateModel(const Lattice& lattice, const EnergyModel& model, double temperature)
    : lattice_(lattice), model_(model), kT_(kBoltzmannEv * temperature) {
  if (!(temperature > 0) || !std::isfinite(temperature)) throw std::invalid_argument("temperature must be > 0 K");
  model.validate(lattice);
  for (int s = 0; s < model.species; ++s) base_.push_back(model.nu[s] * std::exp(-model.e0[s] / kT_));
}

// Rates live in double precision: E_a/kT beyond about 745 underflows to 0 and below about −709
// overflows. One vanishing rate among others is a negligible jump, but a state whose every exit
// rate is 0 has an infinite residence time (D = 0 from a clock that stopped), and an infinite rate
// turns every average into NaN; both are refused with what to change.
void RateModel::exit_jumps(std::uint8_t* occ, const std::vector<int>& vacancies, std::vector<Jump>& out) const {
  const int z = lattice_.coordination(0);
  const std::size_t first = out.size();
  bool any_positive = false;
  double lowest_barrier = INFINITY;  // E_a/kT of the fastest jump, for the message
  for (int v : vacancies) {
    const int* nb = lattice_.neighbours(v, 0);
    for (int k = 0; k < z; ++k) {
      const int t = nb[k];
      const std::uint8_t s = occ[t];
      if (s == kVacancy) continue;
      const double de = model_.interacting() ? swap_energy_change(lattice_, model_, occ, v, t) : 0.0;
      double w = base_[s];
      if (model_.interacting()) w *= std::exp(-0.5 * de / kT_);
      if (!(w > 0) || !std::isfinite(w)) {
        // Out of range (or 0·∞ from the two factors): one exponent decides.
        const double barrier = (model_.e0[s] + 0.5 * de) / kT_;
        lowest_barrier = std::min(lowest_barrier, barrier);
        w = model_.nu[s] * std::exp(-barrier);
        if (!std::isfinite(w))
          throw std::invalid_argument("at T = " + format_number(kT_ / kBoltzmannEv) + " K a jump rate overflows double precision (E_a/k_BT = " +
                                      format_number(barrier) + "; below about -700 cannot be represented): the barriers (e0 and the pair terms) are too negative for this temperature");
      }
      any_positive = any_positive || w > 0;
      out.push_back(Jump{v, t, k, s, w});
    }
  }
  if (out.size() > first && !any_positive)
    throw std::invalid_argument("at T = " + format_number(kT_ / kBoltzmannEv) + " K every exit rate of a state underflows to 0 in double precision (E_a/k_BT = " +
                                format_number(lowest_barrier) + " for the fastest jump; above about 700 cannot be represented): raise the temperature or lower the barriers (e0, pair terms)");
}

}  // namespace ionfield::lattice
