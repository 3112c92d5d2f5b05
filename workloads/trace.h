// The common form of a block I/O trace, whatever file format it came from: fio iologs v2/v3
// (workloads/iolog.h), blkparse text (workloads/blkparse_trace.h) and DiskSim ASCII traces
// (workloads/disksim_trace.h). workloads/trace_replay.h turns one into an issue schedule.
//
// A record is one I/O in trace order: when it was issued relative to the start of the trace,
// what it does, to which of the trace's files (devices) and where. Sizes are bytes.
//
// Timing is the trace's own claim about when each I/O was issued; how a replay honours it
// depends on the format (TraceTiming):
//   - kGaps: each record keeps its gap to the previous one, counted from when the previous
//     record was actually issued, so a slow device delays everything after it. This is what
//     fio 3.33 does for v3 iologs and blktrace replay (iolog.c iolog_delay: the delay is
//     measured from td->last_issue).
//   - kAbsolute: t_ns is a not-before time since the start of the replay, independent of how
//     late earlier records were (open-loop arrivals). DiskSim traces mean this, and so do the
//     "wait" actions of fio v2 iologs (fio 3.33 sleeps until a point in time, see iolog.h).
//
// Errors reading any trace are TraceError with "file:line: message" (or "file: message" for
// problems with the file as a whole).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/time.h"

namespace mdsim {

class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TraceOp : uint8_t {
  kRead,
  kWrite,
  kTrim,  // discard
  kSync,  // fsync/fdatasync in iologs, a cache flush (empty PREFLUSH) in block traces
};

// Name as fio's iolog spells it: "read", "write", "trim", "sync".
inline const char* trace_op_name(TraceOp op) {
  switch (op) {
    case TraceOp::kRead:
      return "read";
    case TraceOp::kWrite:
      return "write";
    case TraceOp::kTrim:
      return "trim";
    case TraceOp::kSync:
      return "sync";
  }
  return "?";
}

// Request flags carried by block traces (blkparse RWBS letters) and iologs.
inline constexpr uint8_t kTracePreflush = 1 << 0;   // RWBS leading 'F' (REQ_PREFLUSH)
inline constexpr uint8_t kTraceFua = 1 << 1;        // RWBS 'F' after the op (REQ_FUA)
inline constexpr uint8_t kTraceSync = 1 << 2;       // RWBS 'S' (REQ_SYNC)
inline constexpr uint8_t kTraceMeta = 1 << 3;       // RWBS 'M' (REQ_META)
inline constexpr uint8_t kTraceReadahead = 1 << 4;  // RWBS 'A' (REQ_RAHEAD)
inline constexpr uint8_t kTraceDatasync = 1 << 5;   // iolog "datasync" (op is kSync)

struct TraceRecord {
  Time t_ns = 0;  // issue time relative to the start of the trace; non-decreasing in a Trace
  TraceOp op = TraceOp::kRead;
  uint8_t flags = 0;
  uint32_t file = 0;    // index into Trace::files
  uint64_t offset = 0;  // bytes
  uint32_t length = 0;  // bytes; 0 for a flush
  bool operator==(const TraceRecord&) const = default;
};

enum class TraceTiming : uint8_t { kGaps, kAbsolute };

struct Trace {
  std::vector<TraceRecord> records;
  std::vector<std::string> files;  // file names (iologs) or devices "8,16" / "dev0"
  TraceTiming timing = TraceTiming::kGaps;
  std::string source;  // the file it was read from, for messages
};

// The two entry points every trace format has, around its parser of a std::istream: over a
// string (tests, generated traces) and over a file, which TraceError names when it cannot be
// opened ("path: cannot open <what>").
Trace parse_trace_text(const std::string& text,
                       const std::function<Trace(std::istream&)>& parse);
Trace read_trace_file(const std::string& path, const char* what,
                      const std::function<Trace(std::istream&)>& parse);

}  // namespace mdsim
