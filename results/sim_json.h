// JSON renderings of the engine's statistics for the result file's "mdsim" section: lock_stat
// rows, CPU utilisation and time by kind, and latency summaries with fio-style percentile keys.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/histogram.h"
#include "sim/lock_stat.h"
#include "sim/machine.h"

namespace mdsim {

// One row per class and side that was acquired, in /proc/lock_stat order; times in ns.
nlohmann::ordered_json lock_stat_json(const LockStatRegistry& r);

// {"cores": N, "utilisation": [...], "busy_ns": [...], "time_ns_by_kind": {...}}.
nlohmann::ordered_json cpu_json(const Machine& m);

// {"min", "max", "mean", "stddev", "N", "percentile": {"99.000000": v, ...}} like fio's
// clat_ns objects (percentile keys formatted "%f").
nlohmann::ordered_json latency_json(const LatencyHistogram& h);

}  // namespace mdsim
