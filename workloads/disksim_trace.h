// DiskSim's default "ascii" input trace format, as the DiskSim 4.0 reference manual
// (Bucy, Schindler, Schlosser, Ganger et al., CMU-PDL-08-101, May 2008, section "Input
// workloads: traces") defines it and disksim_iotrace.c iotrace_ascii_get_ioreq_event reads it
// (sscanf "%lf %d %d %d %x"): one request per line, five whitespace-separated values:
//
//     ARRIVAL_MS  DEVNO  BLKNO  SIZE_BLOCKS  FLAGS
//     0.000000    0      1024   8            1
//
//   ARRIVAL_MS   float, non-negative milliseconds since the start of the simulation;
//                requests must appear in ascending time order.
//   DEVNO        integer device number (before DiskSim's device mappings).
//   BLKNO        integer, the first block, in the access unit of the device.
//   SIZE_BLOCKS  positive integer, the request size in blocks.
//   FLAGS        hex integer bit field (disksim_global.h): bit 0 set = read (READ 0x1),
//                clear = write (WRITE 0x0). The other bits (TIME_CRITICAL 0x2,
//                TIME_LIMITED 0x4, SYNCHRONOUS 0x80, ASYNCHRONOUS 0x100, ...) describe how
//                a full-system simulation would treat the request and are ignored here.
//
// Mapping: each device number becomes a file named "devN", numbered in order of first
// appearance; offset = BLKNO * block_size and length = SIZE_BLOCKS * block_size, with
// block_size 512 bytes unless DiskSimOptions says otherwise; t_ns = ARRIVAL_MS exactly (the
// decimal is converted without going through binary floating point; digits below a
// nanosecond are truncated). Arrivals are open-loop, so the timing is kAbsolute: a request
// arrives at its time whether or not earlier ones have completed.
//
// Errors (TraceError "file:line: message"): a line without exactly five fields, a bad number,
// a negative or decreasing arrival time, a size of 0, an offset or length out of range; an
// empty trace. Blank lines are skipped (DiskSim itself stops at one).
#pragma once

#include <cstdint>
#include <istream>
#include <string>

#include "workloads/trace.h"

namespace mdsim {

struct DiskSimOptions {
  uint32_t block_size = 512;  // bytes per DiskSim block
};

Trace read_disksim(const std::string& path, const DiskSimOptions& options = {});
Trace parse_disksim(std::istream& in, const std::string& file, const DiskSimOptions& options = {});
Trace parse_disksim(const std::string& text, const std::string& file,
                    const DiskSimOptions& options = {});

}  // namespace mdsim
