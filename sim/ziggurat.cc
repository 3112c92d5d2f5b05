// Exponential variates by the ziggurat method (G. Marsaglia and W. W. Tsang, "The Ziggurat
// Method for Generating Random Variables", J. Stat. Software 5(8), 2000), written for mdsim
// with 256 layers and a 53-bit uniform from one 64-bit draw.
//
// Layers: X[0] = r is the right edge of the base layer (a box of width v/f(r) plus the tail
// beyond r); for i >= 1, f(X[i]) = f(X[i-1]) + v / X[i-1], so layer i is the box of width
// X[i-1] between heights f(X[i-1]) and f(X[i]), of area v. X[255] is ~0 (height 1).
// A draw picks a layer i uniformly and x uniformly in its width; x < X[i] lies under the curve
// for sure (fast path); otherwise a second uniform decides, and the base layer's overhang is
// the exact exponential tail r + Exp(1).
#include <array>
#include <cmath>

#include "sim/random.h"

namespace mdsim {
namespace {

constexpr int kLayers = 256;
constexpr double kR = 7.69711747013104972;          // right edge of the base layer
constexpr double kV = 3.9496598225815571993e-3;     // area of each layer
constexpr double kTwo53 = 9007199254740992.0;

struct Tables {
  std::array<double, kLayers> x;  // layer boundaries X[i]
  std::array<double, kLayers> f;  // exp(-X[i])
  std::array<uint64_t, kLayers> k;  // fast-path threshold on the 53-bit uniform
  std::array<double, kLayers> w;  // layer width / 2^53

  Tables() {
    x[0] = kR;
    f[0] = std::exp(-kR);
    for (int i = 1; i < kLayers; ++i) {
      double fi = f[i - 1] + kV / x[i - 1];
      if (i == kLayers - 1 || fi >= 1.0) fi = 1.0;
      f[i] = fi;
      x[i] = -std::log(fi);
    }
    double base_width = kV / f[0];
    k[0] = static_cast<uint64_t>(kR / base_width * kTwo53);
    w[0] = base_width / kTwo53;
    for (int i = 1; i < kLayers; ++i) {
      k[i] = static_cast<uint64_t>(x[i] / x[i - 1] * kTwo53);
      w[i] = x[i - 1] / kTwo53;
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

double Rng::standard_exponential() {
  const Tables& t = tables();
  for (;;) {
    uint64_t u = (*this)();
    int i = static_cast<int>(u & 0xff);
    uint64_t j = u >> 11;
    double xv = static_cast<double>(j) * t.w[i];
    if (j < t.k[i]) return xv;
    if (i == 0) return kR - std::log1p(-uniform01());  // the tail beyond r
    // Wedge between the box and the curve.
    double y = t.f[i - 1] + uniform01() * (t.f[i] - t.f[i - 1]);
    if (y < std::exp(-xv)) return xv;
  }
}

}  // namespace mdsim
