// blkparse's default text output (blktrace 1.3, blkparse_fmt.c process_default) as a trace:
//
//     8,0    3        1     0.000000000  1234  Q   W 223490 + 8 [fio]
//     DEV   CPU     SEQ   SECONDS.NANOS   PID ACT RWBS SECTOR + COUNT [PROCESS]
//
// Only one event type becomes records (BlkparseOptions::event):
//   - Q (queue, the default): a bio as it was submitted to the device, before the block layer
//     merged, split or scheduled it — the workload as its submitter produced it. fio's own
//     blktrace replay takes these (blktrace.c handle_trace), and md devices are bio-based, so
//     a trace of /dev/mdX has Q events and no D events.
//   - D (issue): a request as dispatched to the driver, after merging and scheduling — what
//     the device itself was asked to do (request-based devices only).
// Every other event (G, I, M, F, P, U, C, A, X, m messages, ...) is skipped, and so are lines
// that are not events at all (the per-CPU and total summary blkparse prints at the end,
// "Input file ... added" notes).
//
// Fields: the device "major,minor" becomes a file ("8,0"), numbered in order of first
// appearance; SECONDS.NANOS becomes t_ns relative to the first selected event; SECTOR and
// COUNT are 512-byte units, always (blkparse reports the kernel's 512-byte sectors).
// RWBS (blkparse_fmt.c fill_rwbs) is [F] R|W|D|N [F] [A] [S] [M]: a leading F is a preflush,
// R/W/D read/write/discard (trim), N no data; after it F is FUA, A readahead, S sync, M meta.
// Each becomes TraceRecord::op and flags. An event without "SECTOR + COUNT" (blkparse prints
// only "[PROCESS]" when the size is 0) must be a flush (leading F) and becomes a kSync record
// of length 0; so does "FN". SCSI passthrough events ("D R 36 (12 00 ..) [sg_inq]") carry no
// block I/O and are skipped, as fio skips BLK_TC_PC.
//
// Timing is kGaps, as in fio's blktrace replay (each delay counted from the previous I/O).
// blkparse sorts events by time; any line out of order is put back in place (stable sort).
//
// A line of the selected event type that does not parse is a TraceError "file:line: message";
// so is an event line (one starting "MAJOR,MINOR") whose header fields do not parse. A trace
// without any selected event is an error naming the event type. Left out: blkparse -f/-F
// custom formats, and the remap (A) information — each device is its own file.
#pragma once

#include <istream>
#include <string>

#include "workloads/trace.h"

namespace mdsim {

enum class BlkparseEvent : char { kQueue = 'Q', kIssue = 'D' };

struct BlkparseOptions {
  BlkparseEvent event = BlkparseEvent::kQueue;
};

Trace read_blkparse(const std::string& path, const BlkparseOptions& options = {});
Trace parse_blkparse(std::istream& in, const std::string& file,
                     const BlkparseOptions& options = {});
Trace parse_blkparse(const std::string& text, const std::string& file,
                     const BlkparseOptions& options = {});

}  // namespace mdsim
