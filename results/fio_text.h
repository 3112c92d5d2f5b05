// fio 3.33's normal (human-readable) output for a FioRunResult: the job description lines
// and "Starting N processes" (init.c add_job, backend.c), then per reported job
// show_thread_status_normal (stat.c: the "name: (groupid=0, jobs=1): err= 0: pid=..." block,
// IOPS/BW lines, slat/clat/lat with fio's nsec/usec/msec switching, percentile blocks, bw and
// iops sample lines, the latency distribution, cpu, IO depths, issued rwts, latency target),
// the "Run status group" lines (show_group_stats) and "Disk stats" (print_disk_util), with
// fio's number formatting (lib/num2str.c: "IOPS=12.3k", "BW=3906KiB/s (4000kB/s)").
//
// The header's date is the report's timestamp in UTC (fio prints local time at exit). Left
// out: what FioRunResult leaves out (see fio_result.h), fio's progress/ETA lines, "Laying out
// IO file" notices, terse output.
#pragma once

#include <cstdint>
#include <string>

#include "workloads/fio_result.h"

namespace mdsim {

struct FioTextOptions {
  // The lines fio prints before running: one description per job ("..." for the clones of
  // numjobs), the version line and "Starting N processes". Taken from the job (else global)
  // options rw, bs, bsrange, ioengine, iodepth and thread with fio's defaults.
  bool preamble = true;
};

std::string fio_text(const FioRunResult& run, const FioTextOptions& options = {});

// Just the preamble (what fio prints before running; fio_preamble.cc).
std::string fio_preamble(const FioRunResult& run);

// fio's num2str units (lib/num2str.h enum n2s_unit).
enum class FioUnit { kNone, kPerSec, kByte, kBit, kBytePerSec, kBitPerSec };

// fio's num2str: `num` (in units of `base`) with at most `maxlen` digits, scaled by 1000 (SI)
// or 1024 (`pow2`, IEC), e.g. (4000000, 4, 1, true, kBytePerSec) -> "3906KiB/s",
// (12345, 4, 1, false, kNone) -> "12.3k".
std::string fio_num2str(uint64_t num, int maxlen, int base, bool pow2, FioUnit unit);

}  // namespace mdsim
