// fio's random map: see fio_random_map.h.
#include "workloads/fio_random_map.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

namespace mdsim {

ZeroedWords::ZeroedWords(size_t n) : n_(n) {
  w_.reset(static_cast<uint64_t*>(std::calloc(n > 0 ? n : 1, sizeof(uint64_t))));
  if (!w_) throw std::bad_alloc();
}

void ZeroedWords::zero() { std::memset(w_.get(), 0, n_ * sizeof(uint64_t)); }

FioRandomMap::FioRandomMap(uint64_t blocks) : blocks_(blocks) {
  if (blocks == 0) throw std::invalid_argument("FioRandomMap: no blocks");
  uint64_t bits = blocks;
  while (true) {
    level_bits_.push_back(bits);
    levels_.emplace_back((bits + 63) / 64);
    if (bits <= 64) break;
    bits = (bits + 63) / 64;
  }
  reset();
}

void FioRandomMap::reset() {
  used_ = 0;
  for (size_t l = 0; l < levels_.size(); ++l) {
    if (!zeroed_) levels_[l].zero();
    // Bits past the end of a level read as used, so they are never found free.
    uint64_t tail = level_bits_[l] % 64;
    if (tail != 0) levels_[l][levels_[l].size() - 1] = ~uint64_t{0} << tail;
  }
  zeroed_ = true;
}

void FioRandomMap::set(uint64_t b) {
  zeroed_ = false;
  for (size_t l = 0; l < levels_.size(); ++l) {
    uint64_t& word = levels_[l][b / 64];
    word |= uint64_t{1} << (b % 64);
    if (word != ~uint64_t{0}) return;
    b /= 64;  // this word is now full: mark it in the level above
  }
}

uint64_t FioRandomMap::set_run(uint64_t b, uint64_t n) {
  uint64_t done = 0;
  while (done < n && b + done < blocks_ && !is_set(b + done)) {
    set(b + done);
    ++done;
  }
  used_ += done;
  return done;
}

uint64_t FioRandomMap::find_zero(size_t level, uint64_t from) const {
  const ZeroedWords& bits = levels_[level];
  uint64_t i = from;
  while (i < level_bits_[level]) {
    uint64_t w = i / 64;
    uint64_t word = bits[w] | ((uint64_t{1} << (i % 64)) - 1);  // bits before i count as used
    if (word != ~uint64_t{0}) {
      uint64_t found = w * 64 + static_cast<uint64_t>(__builtin_ctzll(~word));
      return found < level_bits_[level] ? found : kNone;
    }
    if (level + 1 == levels_.size()) {
      i = (w + 1) * 64;  // the top level is one word: nothing further
      continue;
    }
    uint64_t next_word = find_zero(level + 1, w + 1);
    if (next_word == kNone) return kNone;
    i = next_word * 64;
  }
  return kNone;
}

uint64_t FioRandomMap::next_free(uint64_t b) const {
  if (full()) return kNone;
  uint64_t f = b < blocks_ ? find_zero(0, b) : kNone;
  return f != kNone ? f : find_zero(0, 0);
}

}  // namespace mdsim
