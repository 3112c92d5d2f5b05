// The non-uniform offset distributions of fio 3.33's random_distribution (lib/zipf.c,
// lib/gauss.c, io_u.c get_next_rand_offset), modelled rather than copied. Each draws a
// popularity rank in [0, n); the generator spreads ranks over the job's blocks with a keyed
// permutation, as fio spreads them with a hash (so hot blocks are scattered over the device,
// not packed at its start).
//
//   zipf:theta   P(rank k) proportional to (k+1)^-theta, exactly (rejection-inversion sampling,
//                Hörmann & Derflinger 1996), any theta >= 0. fio approximates the same law with
//                Gray et al.'s method (exact for the two hottest ranks) and sums zeta over at
//                most 10M terms. theta = 0 is uniform.
//   pareto:h     rank = floor((n-1) * U^(ln h / ln(1-h))), fio's definition: with h = 0.2 the
//                hottest 20% of ranks get 80% of the accesses (and with h = 0.8 as well).
//   normal:dev   fio's "normal" is not a Gaussian with stddev dev%: it is the mean of 12
//                uniform draws over [0, n] (Irwin-Hall: centred, stddev n/12) plus a uniform
//                jitter of width ceil(n*dev/100) (at most n/2), the jitter halved until the
//                sum stays below n. Modelled as so defined.
//
// BlockPermutation: a bijection of [0, n) keyed by a seed (a 4-round Feistel network on the
// next even power of two with cycle walking). fio uses a multiplicative hash mod n, which is not
// a bijection: some blocks collide and some are never chosen; mdsim's is, so the distribution
// over blocks is exactly the distribution over ranks.
#pragma once

#include <cstdint>

#include "sim/random.h"

namespace mdsim {

class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double theta);  // n >= 1, theta >= 0
  uint64_t operator()(Rng& rng) const;    // a rank in [0, n)

 private:
  double h(double x) const;          // x^-theta
  double big_h(double x) const;      // an antiderivative of h
  double big_h_inv(double x) const;  // its inverse
  uint64_t n_;
  double theta_;
  double h_x1_ = 0, h_n_ = 0, s_ = 0;
};

class ParetoSampler {
 public:
  ParetoSampler(uint64_t n, double h);  // 0 < h < 1
  uint64_t operator()(Rng& rng) const;

 private:
  uint64_t n_;
  double power_;
};

class FioNormalSampler {
 public:
  FioNormalSampler(uint64_t n, double dev_percent);  // 0 <= dev < 100
  uint64_t operator()(Rng& rng) const;

 private:
  uint64_t n_;
  double jitter_;  // width of the uniform jitter, in ranks
};

class BlockPermutation {
 public:
  BlockPermutation(uint64_t n, uint64_t key);
  uint64_t operator()(uint64_t i) const;  // i < n

 private:
  uint64_t n_;
  int half_bits_;
  uint64_t half_mask_;
  uint64_t keys_[4];
};

}  // namespace mdsim
