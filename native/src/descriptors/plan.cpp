#include "descriptors/plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace ionfield::detail {
namespace {

// Largest exponent the shift recurrence may meet; beyond it exp() would underflow or overflow
// and the shifts are evaluated one by one instead.
constexpr double kSafeExponent = 600.0;

struct RadialMember {
  double rs;
  int col;
};

// Splits shifts (sorted) into runs with a common spacing (at least 3 shifts per run).
std::vector<std::vector<RadialMember>> uniform_runs(std::vector<RadialMember> m) {
  std::sort(m.begin(), m.end(), [](const RadialMember& a, const RadialMember& b) { return a.rs < b.rs; });
  std::vector<std::vector<RadialMember>> runs;
  std::size_t i = 0;
  while (i < m.size()) {
    std::size_t j = i + 1;
    if (j < m.size()) {
      const double d = m[j].rs - m[i].rs;
      if (d > 0) {
        while (j + 1 < m.size() && std::fabs((m[j + 1].rs - m[j].rs) - d) <= 1e-9 * std::max(1.0, d)) ++j;
      }
    }
    if (j - i + 1 >= 3 && j < m.size()) {
      runs.emplace_back(m.begin() + i, m.begin() + j + 1);
      i = j + 1;
    } else {
      runs.push_back({m[i]});
      ++i;
    }
  }
  return runs;
}

}  // namespace

Plan::Plan(const DescriptorSet& set, const DescriptorOptions& options) : nspecies(set.nspecies) {
  set.validate();
  // Tensor component tables: for each order m, every (a,b,c) with a+b+c = m.
  order_offset.push_back(0);
  for (int m = 0; m <= kMaxTensorOrder; ++m) {
    for (int a = m; a >= 0; --a)
      for (int b = m - a; b >= 0; --b) {
        const int c = m - a - b;
        tensor_abc.insert(tensor_abc.end(), {a, b, c});
        tensor_weight.push_back(std::tgamma(m + 1.0) / (std::tgamma(a + 1.0) * std::tgamma(b + 1.0) * std::tgamma(c + 1.0)));
      }
    order_offset.push_back(static_cast<int32_t>(tensor_weight.size()));
  }

  centres.assign(nspecies, CentrePlan{});
  std::vector<int> column(nspecies, 0);
  std::vector<int> col_of(set.functions.size());
  for (std::size_t k = 0; k < set.functions.size(); ++k) col_of[k] = column[set.functions[k].centre]++;

  int mmax_used = -1;
  for (int c = 0; c < nspecies; ++c) {
    CentrePlan& cp = centres[c];
    cp.nfeatures = column[c];
    // ---- radial: group by (neighbour, eta, rc, cutoff kind), then into uniform shift runs
    cp.radial_begin = static_cast<int32_t>(radial.size());
    std::map<std::tuple<int, double, double, int>, std::vector<RadialMember>> groups;
    for (std::size_t k = 0; k < set.functions.size(); ++k) {
      const auto& f = set.functions[k];
      if (f.centre != c) continue;
      if (f.type == SymmetryFunctionType::G2) {
        groups[{f.neighbour1, f.eta, f.cutoff, static_cast<int>(f.cutoff_function)}].push_back({f.rs, col_of[k]});
        cp.rmax = std::max(cp.rmax, f.cutoff);
      }
    }
    for (auto& [key, members] : groups) {
      auto runs = options.shift_recurrence ? uniform_runs(members) : std::vector<std::vector<RadialMember>>{};
      if (!options.shift_recurrence)
        for (auto& m : members) runs.push_back({m});
      for (auto& run : runs) {
        RadialGroup g;
        g.species = std::get<0>(key);
        g.eta = std::get<1>(key);
        g.rc = std::get<2>(key);
        g.cutoff_kind = std::get<3>(key);
        g.count = static_cast<int32_t>(run.size());
        g.r0 = run.front().rs;
        g.delta = run.size() > 1 ? (run.back().rs - run.front().rs) / (run.size() - 1) : 0.0;
        const double far = std::max(g.r0, g.rc - g.r0);
        g.recurrence = g.count > 1 && g.eta * far * far <= kSafeExponent && 2 * g.eta * g.delta * far <= kSafeExponent;
        if (g.count > 1 && !g.recurrence) {  // unsafe: split into single shifts
          for (auto& m : run) {
            RadialGroup s = g;
            s.count = 1;
            s.r0 = m.rs;
            s.delta = 0;
            s.recurrence = 0;
            s.col_offset = static_cast<int32_t>(radial_cols.size());
            radial_cols.push_back(m.col);
            s.const_offset = static_cast<int32_t>(radial_consts.size());
            radial.push_back(s);
          }
          continue;
        }
        g.col_offset = static_cast<int32_t>(radial_cols.size());
        for (auto& m : run) radial_cols.push_back(m.col);
        g.const_offset = static_cast<int32_t>(radial_consts.size());
        for (int s = 0; s + 1 < g.count; ++s) radial_consts.push_back(std::exp(-g.eta * g.delta * g.delta * (2 * s + 1)));
        radial.push_back(g);
      }
    }
    cp.radial_end = static_cast<int32_t>(radial.size());

    // ---- angular: blocks by (type, eta, rs, rc, cutoff kind)
    cp.angular_begin = static_cast<int32_t>(blocks.size());
    std::map<std::tuple<int, double, double, double, int>, std::vector<AngularFn>> ablocks;
    for (std::size_t k = 0; k < set.functions.size(); ++k) {
      const auto& f = set.functions[k];
      if (f.centre != c || f.type == SymmetryFunctionType::G2) continue;
      AngularFn fn;
      fn.b1 = std::min(f.neighbour1, f.neighbour2);
      fn.b2 = std::max(f.neighbour1, f.neighbour2);
      fn.zeta = f.zeta;
      fn.lambda = f.lambda;
      fn.prefactor = std::pow(2.0, 1.0 - f.zeta);
      fn.izeta = (std::floor(f.zeta) == f.zeta) ? static_cast<int32_t>(f.zeta) : -1;
      fn.col = col_of[k];
      ablocks[{static_cast<int>(f.type), f.eta, f.rs, f.cutoff, static_cast<int>(f.cutoff_function)}].push_back(fn);
      cp.rmax = std::max(cp.rmax, f.cutoff);
      cp.rmax_angular = std::max(cp.rmax_angular, f.cutoff);
    }
    for (auto& [key, list] : ablocks) {
      std::stable_sort(list.begin(), list.end(), [](const AngularFn& a, const AngularFn& b) {
        return std::tie(a.b1, a.b2) < std::tie(b.b1, b.b2);
      });
      AngularBlock b;
      b.type = std::get<0>(key);
      b.eta = std::get<1>(key);
      b.rs = std::get<2>(key);
      b.rc = std::get<3>(key);
      b.cutoff_kind = std::get<4>(key);
      b.fn_begin = static_cast<int32_t>(fns.size());
      fns.insert(fns.end(), list.begin(), list.end());
      b.fn_end = static_cast<int32_t>(fns.size());
      max_block_fns = std::max(max_block_fns, b.fn_end - b.fn_begin);
      bool tensor = b.type == 9 && options.separable_g5;
      int mmax = 0;
      for (auto& fn : list) {
        if (fn.izeta < 0 || fn.izeta > kMaxTensorOrder) tensor = false;
        mmax = std::max(mmax, fn.izeta);
      }
      b.tensor = tensor;
      b.mmax = tensor ? mmax : 0;
      if (tensor) mmax_used = std::max(mmax_used, mmax);
      blocks.push_back(b);
    }
    cp.angular_end = static_cast<int32_t>(blocks.size());
  }
  ncomponents = mmax_used >= 0 ? order_offset[mmax_used + 1] : 0;
}

PlanView Plan::view() const {
  PlanView v;
  v.nspecies = nspecies;
  v.ncomponents = ncomponents;
  v.centres = centres.data();
  v.radial = radial.data();
  v.radial_cols = radial_cols.data();
  v.radial_consts = radial_consts.data();
  v.blocks = blocks.data();
  v.fns = fns.data();
  v.tensor_abc = tensor_abc.data();
  v.tensor_weight = tensor_weight.data();
  v.order_offset = order_offset.data();
  return v;
}

}  // namespace ionfield::detail
