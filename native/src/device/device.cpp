#include "ionfield/device.hpp"

namespace ionfield {

#ifdef IONFIELD_HAVE_CUDA
namespace detail {
void query_cuda_devices(DeviceReport& report);  // device/device_cuda.cu
}
#endif

namespace {
std::string compiler_name() {
#if defined(__clang__)
  return std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#elif defined(_MSC_VER)
  return "MSVC " + std::to_string(_MSC_VER);
#else
  return "unknown";
#endif
}
}  // namespace

DeviceReport query_devices() {
  DeviceReport report;
  report.compiler = compiler_name();
#ifdef IONFIELD_HAVE_CUDA
  report.built_with_cuda = true;
  detail::query_cuda_devices(report);
#else
  report.note = "built without CUDA (no CUDA toolkit was found when the addon was compiled)";
#endif
  return report;
}

}  // namespace ionfield
