#pragma once
// Puts a frame's atoms in ascending id order (formats that carry atom ids may list them in any
// order, e.g. LAMMPS writes them per processor) and checks the ids are unique. Internal.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ionfield/frame.hpp"

namespace ionfield::detail {

// Sorts every per-atom array of `f` by f.ids (no-op when already sorted). Returns true if the ids
// are unique; otherwise false with `duplicate` set to one repeated id and `duplicate_at` to the
// position, in the order the file listed the atoms, of its second occurrence. `scratch` is reused.
bool order_atoms_by_id(Frame& f, std::vector<std::size_t>& scratch, int64_t& duplicate, std::size_t& duplicate_at);

}  // namespace ionfield::detail
