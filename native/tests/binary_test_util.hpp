#pragma once
// Helpers shared by the binary-format tests: temporary paths, whole-file bytes, reading all frames.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ionfield/trajectory.hpp"

namespace testutil {

// A path in a per-process temporary folder that is removed when the test exits.
inline std::string temp_path(const std::string& name) {
  struct TempDir {
    std::string path;
    TempDir() {
      char tmpl[] = "/tmp/ionfield-native-XXXXXX";
      const char* d = ::mkdtemp(tmpl);
      if (!d) std::abort();
      path = d;
    }
    ~TempDir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const TempDir dir;
  return dir.path + "/" + name;
}

inline std::vector<unsigned char> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void spit(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<ionfield::Frame> read_all(const std::string& path, const std::string& format = "auto") {
  auto reader = ionfield::open_trajectory(path, format);
  std::vector<ionfield::Frame> frames;
  ionfield::Frame f;
  while (reader->read_next(f)) frames.push_back(f);
  return frames;
}

}  // namespace testutil
