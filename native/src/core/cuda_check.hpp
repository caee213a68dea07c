#pragma once
// CUDA error handling and device buffers for the .cu sources (included only by nvcc).
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace ionfield::detail {

inline void cuda_check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(status));
  }
}

inline bool cuda_usable(std::string* why) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    if (why) *why = std::string("no usable GPU: ") + (status != cudaSuccess ? cudaGetErrorString(status) : "no device");
    cudaGetLastError();
    return false;
  }
  return true;
}

// A typed device array, freed with its owner.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t n) { resize(n); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }
  void resize(std::size_t n) {
    if (n <= capacity_) {
      size_ = n;
      return;
    }
    if (ptr_) cudaFree(ptr_);
    ptr_ = nullptr;
    cuda_check(cudaMalloc(&ptr_, std::max<std::size_t>(n, 1) * sizeof(T)), "cudaMalloc");
    capacity_ = n;
    size_ = n;
  }
  void upload(const T* data, std::size_t n) {
    resize(n);
    if (n) cuda_check(cudaMemcpy(ptr_, data, n * sizeof(T), cudaMemcpyHostToDevice), "upload");
  }
  void upload(const std::vector<T>& v) { upload(v.data(), v.size()); }
  void download(T* data, std::size_t n) const {
    if (n) cuda_check(cudaMemcpy(data, ptr_, n * sizeof(T), cudaMemcpyDeviceToHost), "download");
  }
  T* get() { return ptr_; }
  const T* get() const { return ptr_; }
  std::size_t size() const { return size_; }

 private:
  T* ptr_ = nullptr;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace ionfield::detail
