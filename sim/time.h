// Simulated time: signed 64-bit nanoseconds. Never floating point, so runs are exact and
// deterministic; 2^63 ns is about 292 years of simulated time.
#pragma once

#include <cstdint>

namespace mdsim {

using Time = int64_t;

inline constexpr Time kNanosecond = 1;
inline constexpr Time kMicrosecond = 1000;
inline constexpr Time kMillisecond = 1000 * kMicrosecond;
inline constexpr Time kSecond = 1000 * kMillisecond;
inline constexpr Time kTimeMax = INT64_MAX;

// Seconds as a double, for reporting only (never for scheduling).
inline constexpr double to_seconds(Time t) { return static_cast<double>(t) / kSecond; }

}  // namespace mdsim
