#pragma once
// What accelerators this build can use at run time.
#include <string>
#include <vector>

namespace ionfield {

struct GpuDevice {
  int index = 0;
  std::string name;
  int compute_major = 0, compute_minor = 0;
  double memory_gib = 0;
};

struct DeviceReport {
  bool built_with_cuda = false;     // CUDA kernels compiled into this build
  std::vector<GpuDevice> gpus;      // GPUs the CUDA runtime sees now (empty without a driver)
  std::string note;                 // why no GPU is usable, when that is the case
  // What built and runs it, for benchmark records that must be comparable across machines.
  std::string compiler;             // C++ compiler of the core, e.g. "GCC 12.2.0"
  std::string cuda_compiler;        // nvcc that built the kernels ("" without CUDA)
  int cuda_runtime_version = 0;     // CUDA runtime linked in, as 1000*major + 10*minor (0: none)
  int cuda_driver_version = 0;      // highest CUDA version the installed driver supports (0: no driver)
};

DeviceReport query_devices();

}  // namespace ionfield
