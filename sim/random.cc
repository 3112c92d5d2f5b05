// Random streams: see random.h.
#include "sim/random.h"

namespace mdsim {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t stable_hash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

void Rng::reseed(uint64_t seed) {
  uint64_t st = seed;
  for (uint64_t& w : s_) w = splitmix64(st);
  // xoshiro's state must not be all zero; splitmix64 output never is for four draws.
}

Rng RandomStreams::stream(std::string_view component) const {
  uint64_t st = seed_ ^ stable_hash(component);
  return Rng(splitmix64(st));
}

Rng RandomStreams::stream(std::string_view family, uint64_t index) const {
  uint64_t st = seed_ ^ stable_hash(family);
  uint64_t a = splitmix64(st);
  st = a ^ (index * 0xd1342543de82ef95ULL + 1);
  return Rng(splitmix64(st));
}

}  // namespace mdsim
