#pragma once
// Helpers shared by the binary-format tests: temporary paths, whole-file bytes, reading all frames.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ionfield/trajectory.hpp"

namespace testutil {

inline std::string temp_path(const std::string& name) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/ionfield-native-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    return std::string(d ? d : "/tmp");
  }();
  return dir + "/" + name;
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
