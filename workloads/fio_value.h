// fio's value syntax, as fio 3.33's HOWTO ("Parameter types") defines it, for the job-file
// parser: integers with a base prefix and unit suffixes, times, ranges, percentages, booleans.
//
// Data sizes (int): [0x]NUMBER[prefix][b]. The prefix is case-insensitive: k m g t p (and
// ki mi gi ti pi). With kb_base=1024 (fio's default) the plain prefixes are powers of 1024
// and the "i" ones powers of 1000 — fio inverts the SI/IEC meaning "for compatibility with old
// scripts" — so 4k = 4kB = 4096 and 1mi = 1000000; with kb_base=1000 it is the other way
// round. A trailing 'b' or 'B' means bytes. A decimal fraction is accepted and truncated after
// scaling, as fio 3.33 does (1.5k = 1536).
//
// Times: NUMBER[unit], unit d h m s|sec ms|msec us|usec (case-insensitive); without a unit
// the option's own default applies (seconds for runtime, microseconds for thinktime, ...).
//
// Errors are FioValueError with a message naming the value; the job-file parser adds the file,
// line and option.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "sim/time.h"

namespace mdsim {

class FioValueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A data size in bytes.
uint64_t parse_fio_size(std::string_view v, int kb_base = 1024);
// A plain integer with optional 0x prefix and the same unit prefixes (e.g. iodepth, numjobs,
// rate_iops); `lo`..`hi` inclusive.
int64_t parse_fio_int(std::string_view v, int64_t lo, int64_t hi, int kb_base = 1024);
// A time in ns; `default_unit` is what a bare number counts (kSecond, kMicrosecond, ...).
Time parse_fio_time(std::string_view v, Time default_unit);
// An irange "lo-hi" or "lo:hi" of sizes; swapped if lo > hi, as fio does. A single value gives
// (v, v).
std::pair<uint64_t, uint64_t> parse_fio_size_range(std::string_view v, int kb_base = 1024);
// A percentage 0..100, with or without '%'.
int parse_fio_percent(std::string_view v);
// 0 or 1 (fio 3.33 rejects yes/true/on for bool options too).
bool parse_fio_bool(std::string_view v);

}  // namespace mdsim
