#include "ionfield/frame.hpp"

namespace ionfield {

void Frame::resize(std::size_t n) {
  natoms = n;
  positions.assign(3 * n, 0.0);
  images.clear();
  ids.clear();
  types.clear();
  charges.clear();
  molecules.clear();
  masses.clear();
}

}  // namespace ionfield
