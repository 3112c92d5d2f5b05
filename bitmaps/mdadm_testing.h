// Test helper: runs Debian's `mdadm --examine-bitmap` on an image. A missing mdadm is a test
// failure, not a skip: the on-disk format is checked against the real tool or not at all.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

namespace mdsim::testing {

// Writes `image` to a temporary file, runs mdadm on it, and puts its output in *out.
inline ::testing::AssertionResult mdadm_examine_bitmap(std::span<const uint8_t> image,
                                                       std::string* out) {
  const char* mdadm = "/usr/sbin/mdadm";
  if (access(mdadm, X_OK) != 0) {
    return ::testing::AssertionFailure()
           << "mdadm not found at /usr/sbin/mdadm: install Debian's mdadm (apt-get install "
              "mdadm) to check the on-disk format against it";
  }
  char path[] = "/tmp/mdsim_bitmap_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return ::testing::AssertionFailure() << "mkstemp failed";
  bool wrote = write(fd, image.data(), image.size()) == static_cast<ssize_t>(image.size());
  close(fd);
  if (!wrote) {
    unlink(path);
    return ::testing::AssertionFailure() << "cannot write " << path;
  }
  FILE* p = popen((std::string(mdadm) + " --examine-bitmap " + path + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    unlink(path);
    return ::testing::AssertionFailure() << "popen failed";
  }
  out->clear();
  char buf[512];
  while (fgets(buf, sizeof buf, p)) *out += buf;
  int status = pclose(p);
  unlink(path);
  if (status != 0) return ::testing::AssertionFailure() << "mdadm failed:\n" << *out;
  return ::testing::AssertionSuccess();
}

}  // namespace mdsim::testing
