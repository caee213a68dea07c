// Linked into the prebuilt addon only (IONFIELD_STATIC_CXX_RUNTIME, scripts/prebuild.js).
// GCC 12's static libstdc++ pulls in std::random_device, which calls arc4random: a glibc 2.36
// symbol that would raise the prebuild's glibc requirement from 2.34 to 2.36 (Ubuntu 22.04 and
// RHEL 9 have 2.34/2.35). ionfield never uses std::random_device (its generators are seeded
// explicitly); this hidden definition satisfies the link with getrandom (glibc 2.25).
#include <sys/random.h>

extern "C" __attribute__((visibility("hidden"))) unsigned int arc4random(void) {
  unsigned int value = 0;
  while (getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
  }
  return value;
}
