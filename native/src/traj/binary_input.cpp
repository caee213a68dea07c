#include "traj/binary_input.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "ionfield/error.hpp"

namespace ionfield::detail {

BinaryInput::BinaryInput(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) throw ParseError(path, -1, -1, -1, std::string("cannot open file: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fileno(file_), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fclose(file_);
    file_ = nullptr;
    throw ParseError(path, -1, -1, -1, "not a regular file (binary trajectories must be seekable files)");
  }
  size_ = static_cast<long long>(st.st_size);
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 18);
}

BinaryInput::~BinaryInput() {
  if (file_) std::fclose(file_);
}

void BinaryInput::fail(long long frame, long long at, const std::string& what) const {
  throw ParseError(path_, frame, -1, at, what);
}

void BinaryInput::read(void* out, std::size_t bytes, long long frame, const char* what) {
  if (bytes > static_cast<std::size_t>(remaining()))  // remaining() >= 0; compare unsigned
    fail(frame, offset_,
         std::string("file ends after ") + std::to_string(remaining()) + " bytes; expected " + std::to_string(bytes) +
             " bytes of " + what + " (truncated file?)");
  if (bytes && std::fread(out, 1, bytes, file_) != bytes)
    fail(frame, offset_, std::string("read error while reading ") + what + ": " + std::strerror(errno));
  offset_ += static_cast<long long>(bytes);
}

void BinaryInput::seek(long long offset, long long frame, const char* what) {
  if (offset < 0 || offset > size_)
    fail(frame, offset_,
         std::string("file ends before ") + what + " (needs byte " + std::to_string(offset) + " of a " +
             std::to_string(size_) + "-byte file; truncated file?)");
  if (offset == offset_) return;
  if (::fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0)
    fail(frame, offset_, std::string("cannot seek to ") + what + ": " + std::strerror(errno));
  offset_ = offset;
}

}  // namespace ionfield::detail
