// Scaled residual bias (see residual_bias.hpp).
#include "lattice/residual_bias.hpp"

namespace ionfield::lattice {

std::vector<double> ResidualBias::residual(const TransitionTerm& t) const {
  std::vector<double> r = t.dx;
  if (!theta_.empty())
    for (const SparseEntry& e : t.db)
      for (int a = 0; a < channels_; ++a) r[3 * a + e.component] += theta_[static_cast<std::size_t>(e.function) * channels_ + a] * e.value;
  return r;
}

void ResidualBias::at_state(std::uint8_t* occ, const std::vector<int>& vacancies, std::map<int, std::vector<double>>& out) {
  out.clear();
  jumps_.clear();
  rates_.exit_jumps(occ, vacancies, jumps_);
  double total = 0;
  for (const Jump& j : jumps_) total += j.rate;
  const std::vector<Jump> jumps = jumps_;
  for (const Jump& j : jumps) {
    builder_.build(occ, vacancies, j, terms_);
    for (const TransitionTerm& t : terms_) {
      auto& v = out[t.centre];
      v.resize(3 * channels_, 0.0);
      const auto r = residual(t);
      for (int i = 0; i < 3 * channels_; ++i) v[i] += (j.rate / total) * r[i];
    }
  }
}

void ResidualBias::refine(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump,
                          const std::map<int, std::vector<double>>& at_x, std::vector<RefinedTerm>& out) {
  out.clear();
  std::vector<TransitionTerm> terms;
  builder_.build(occ, vacancies, jump, terms);
  // b(X'), with owners re-keyed to their sites in X (the jumping atom was at jump.target).
  std::map<int, std::vector<double>> at_next, rekeyed;
  std::swap(occ[jump.vacancy], occ[jump.target]);
  std::vector<int> next_vacancies = vacancies;
  for (int& v : next_vacancies)
    if (v == jump.vacancy) v = jump.target;
  at_state(occ, next_vacancies, at_next);
  std::swap(occ[jump.vacancy], occ[jump.target]);
  for (auto& [key, v] : at_next) rekeyed[key == jump.vacancy && key >= 0 ? jump.target : key] = std::move(v);
  std::map<int, RefinedTerm> owners;
  const std::vector<double> zero(3 * channels_, 0.0);
  auto owner = [&](int key) -> RefinedTerm& {
    RefinedTerm& t = owners[key];
    if (t.r.empty()) {
      t.r = zero;
      t.dres = zero;
    }
    return t;
  };
  for (const TransitionTerm& t : terms) owner(t.centre).r = residual(t);
  for (const auto& [key, v] : rekeyed) {
    RefinedTerm& t = owner(key);
    for (int i = 0; i < 3 * channels_; ++i) t.dres[i] += v[i];
  }
  for (const auto& [key, v] : at_x) {
    RefinedTerm& t = owner(key);
    for (int i = 0; i < 3 * channels_; ++i) t.dres[i] -= v[i];
  }
  for (auto& [key, t] : owners) out.push_back(std::move(t));
}

}  // namespace ionfield::lattice
