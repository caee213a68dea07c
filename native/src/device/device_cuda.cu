// Asks the CUDA runtime which GPUs it can use. Linked with the static runtime, so on a machine
// without an NVIDIA driver this reports the runtime's reason instead of failing to load.
#include <cuda_runtime.h>

#include "ionfield/device.hpp"

namespace ionfield::detail {

void query_cuda_devices(DeviceReport& report) {
  report.cuda_compiler = "nvcc " + std::to_string(__CUDACC_VER_MAJOR__) + "." + std::to_string(__CUDACC_VER_MINOR__) + "." +
                         std::to_string(__CUDACC_VER_BUILD__);
  cudaRuntimeGetVersion(&report.cuda_runtime_version);
  if (cudaDriverGetVersion(&report.cuda_driver_version) != cudaSuccess) report.cuda_driver_version = 0;
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    report.note = std::string("CUDA runtime found no usable GPU: ") + cudaGetErrorString(status);
    cudaGetLastError();  // clear the sticky error
    return;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    GpuDevice d;
    d.index = i;
    d.name = prop.name;
    d.compute_major = prop.major;
    d.compute_minor = prop.minor;
    d.memory_gib = static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0);
    report.gpus.push_back(d);
  }
  if (report.gpus.empty()) report.note = "CUDA runtime reports no GPU";
}

}  // namespace ionfield::detail
