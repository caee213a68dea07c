#pragma once
// Writes to a temporary file beside the destination and renames it into place on commit(), so a
// reader never sees a half-written file and a failed run leaves the destination untouched.
#include <cstdio>
#include <string>

namespace ionfield::detail {

class AtomicFile {
 public:
  explicit AtomicFile(std::string destination);
  ~AtomicFile();  // removes the temporary file if commit() was not reached
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::FILE* handle() { return file_; }
  void write(const void* data, std::size_t bytes);
  long long tell() const;
  void seek(long long offset);  // absolute, for headers patched at the end (DCD frame count)
  void commit();
  const std::string& destination() const { return destination_; }

 private:
  std::string destination_, temporary_;
  std::FILE* file_ = nullptr;
};

}  // namespace ionfield::detail
