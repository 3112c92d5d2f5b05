// fio's random map (lib/axmap.c as io_u.c uses it): one bit per block of a job's region, so
// random I/O touches every block once per pass unless norandommap. A drawn block that is
// already used is replaced by the next free one after it (wrapping to the start, like
// axmap_next_free), and an I/O of several blocks is cut short at the first used block
// (io_u.c mark_random_map).
//
// Levels of 64-bit words: level 0 has a bit per block, each higher level a bit per word of the
// level below that is full, so finding the next free block costs O(levels) words, not a scan.
// Memory is one bit per block (128 MiB for 2^30 blocks), as fio's, but taken from calloc so
// the pages of a big map cost nothing until a block in them is used: a short run on a 4 TB
// array touches a few pages, not 128 MiB per job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

namespace mdsim {

// A zeroed array of words from calloc (large ones are fresh zero pages, not written).
class ZeroedWords {
 public:
  explicit ZeroedWords(size_t n);
  size_t size() const { return n_; }
  uint64_t& operator[](size_t i) { return w_[i]; }
  uint64_t operator[](size_t i) const { return w_[i]; }
  void zero();

 private:
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint64_t[], Free> w_;
  size_t n_;
};

class FioRandomMap {
 public:
  static constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();

  explicit FioRandomMap(uint64_t blocks);

  uint64_t blocks() const { return blocks_; }
  uint64_t used() const { return used_; }
  bool full() const { return used_ == blocks_; }
  bool is_set(uint64_t b) const { return (levels_[0][b / 64] >> (b % 64)) & 1; }

  // Marks up to `n` blocks from `b` as used, stopping at the first used block or the end;
  // returns how many were marked (0 if `b` itself is used).
  uint64_t set_run(uint64_t b, uint64_t n);
  // The first free block at or after `b`, wrapping to block 0; kNone when all are used.
  uint64_t next_free(uint64_t b) const;
  // Starts a new pass: every block free again.
  void reset();

 private:
  void set(uint64_t b);
  uint64_t find_zero(size_t level, uint64_t from) const;

  uint64_t blocks_;
  uint64_t used_ = 0;
  std::vector<uint64_t> level_bits_;           // bits in each level
  std::vector<ZeroedWords> levels_;  // levels_[0]: one bit per block
  bool zeroed_ = true;               // no bit set since the words were allocated or zeroed
};

}  // namespace mdsim
