// Seeded random streams: one independent stream per component, all derived from the run seed.
//
// A stream is derived from (run seed, component name) by a stable string hash and SplitMix64
// mixing, so adding a component never perturbs the numbers another component draws, and the
// same seed gives the same numbers on every platform. The generator is xoshiro256** (Blackman
// and Vigna): small, fast, and a URBG, so Abseil's distributions (absl::Zipf, absl::Gaussian,
// ...) run on it. Abseil's distributions are stable for the Debian libabsl-dev we build with.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

namespace mdsim {

class Rng {
 public:
  using result_type = uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<uint64_t>::max(); }

  explicit Rng(uint64_t seed = 1) { reseed(seed); }
  void reseed(uint64_t seed);

  result_type operator()() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-64 * n).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>((*this)()) * n) >> 64);
  }
  // Exponential with the given mean (ziggurat, sim/ziggurat.cc: one 64-bit draw and a table
  // lookup on 98.9% of calls; exact tail).
  double exponential(double mean) { return mean * standard_exponential(); }
  double standard_exponential();
  bool bernoulli(double p) { return uniform01() < p; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// SplitMix64 step: the standard seed expander.
uint64_t splitmix64(uint64_t& state);
// FNV-1a 64-bit hash of a name: stable across runs and platforms.
uint64_t stable_hash(std::string_view s);

class RandomStreams {
 public:
  explicit RandomStreams(uint64_t run_seed) : seed_(run_seed) {}
  uint64_t seed() const { return seed_; }
  // The stream for a component, e.g. stream("job0") or stream("disk3.latency").
  Rng stream(std::string_view component) const;
  // The stream for the i-th member of a family, e.g. stream("cpu", 5).
  Rng stream(std::string_view family, uint64_t index) const;

 private:
  uint64_t seed_;
};

}  // namespace mdsim
