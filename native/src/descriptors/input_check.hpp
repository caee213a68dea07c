#pragma once
// Checks shared by the CPU and CUDA entry points: species indices, rows and output stride.
#include <cmath>
#include <stdexcept>
#include <string>

#include "descriptors/plan.hpp"

namespace ionfield::detail {

inline void check_descriptor_input(const DescriptorSet& set, const Plan& plan, const DescriptorInput& in) {
  if (in.natoms > 0x7fffffffu || in.nrows > 0x7fffffffu) throw std::invalid_argument("descriptors: more than 2^31 atoms");
  if (in.frames > 0 && in.natoms > 0 && (!in.positions || !in.boxes || !in.species))
    throw std::invalid_argument("descriptors: positions, boxes and species are required");
  if (in.stride < static_cast<std::size_t>(set.max_features()))
    throw std::invalid_argument("descriptors: output stride " + std::to_string(in.stride) + " is smaller than the " +
                                std::to_string(set.max_features()) + " features of the largest centre species");
  for (std::size_t i = 0; i < in.natoms; ++i)
    if (in.species[i] >= set.nspecies)
      throw std::invalid_argument("descriptors: atom " + std::to_string(i) + " has species index " +
                                  std::to_string(in.species[i]) + ", the set has " + std::to_string(set.nspecies));
  for (std::size_t r = 0; r < in.nrows; ++r) {
    const int32_t i = in.rows[r];
    if (i < 0 || static_cast<std::size_t>(i) >= in.natoms)
      throw std::invalid_argument("descriptors: row " + std::to_string(r) + " names atom " + std::to_string(i) + " of " +
                                  std::to_string(in.natoms));
    if (in.species[i] < 0 || plan.centres[in.species[i]].nfeatures == 0)
      throw std::invalid_argument("descriptors: atom " + std::to_string(i) + " is not of a centre species of the set");
  }
}

}  // namespace ionfield::detail
