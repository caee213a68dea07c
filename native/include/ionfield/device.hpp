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
};

DeviceReport query_devices();

}  // namespace ionfield
