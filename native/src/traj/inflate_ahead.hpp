#pragma once
// Decompresses a gzip file on a background thread, a few chunks ahead of the parser, so that
// inflating and parsing run on two cores at once. Internal to LineReader.
#include <zlib.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ionfield::detail {

class InflateAhead {
 public:
  explicit InflateAhead(gzFile file);  // takes the open file; does not close it
  ~InflateAhead();                     // stops and joins the thread
  InflateAhead(const InflateAhead&) = delete;
  InflateAhead& operator=(const InflateAhead&) = delete;

  // Like gzread: bytes copied (> 0), 0 at the end of the data, -1 on a read error. After 0 or -1,
  // code() and message() hold gzerror's (Z_BUF_ERROR at 0 means the stream was cut short).
  int read(char* destination, unsigned capacity);
  int code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  struct Chunk {
    std::vector<char> data;
    int status = 0;  // bytes, 0 end, -1 error
    int code = Z_OK;
    std::string message;
  };
  void produce();

  gzFile file_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> ready_;
  bool stop_ = false;
  Chunk current_;
  std::size_t offset_ = 0;
  bool finished_ = false;
  int code_ = Z_OK;
  std::string message_;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace ionfield::detail
