#include "ionfield/device.hpp"

namespace ionfield {

#ifdef IONFIELD_HAVE_CUDA
namespace detail {
void query_cuda_devices(DeviceReport& report);  // device/device_cuda.cu
}
#endif

DeviceReport query_devices() {
  DeviceReport report;
#ifdef IONFIELD_HAVE_CUDA
  report.built_with_cuda = true;
  detail::query_cuda_devices(report);
#else
  report.note = "built without CUDA (no CUDA toolkit was found when the addon was compiled)";
#endif
  return report;
}

}  // namespace ionfield
