// The issue schedule of a trace replay: which record a replaying job issues next and the
// earliest simulated time it may do so, under fio 3.33's replay options (HOWTO "I/O replay";
// iolog.c read_iolog, delay_since_ttime, iolog_delay, read_iolog_get):
//
//   replay_no_stall    ignore the timestamps: each record may go as soon as the previous one
//                      was issued, so only the job's iodepth paces the replay.
//   replay_time_scale  percent of the trace's rate: every gap (kGaps) or time (kAbsolute) is
//                      multiplied by 100/scale, so 200 replays twice as fast, 50 half as fast.
//   replay_redirect    every record goes to this one file (fio: "all I/Os replayed onto the
//                      single specified device"); files() then has exactly one entry.
//   replay_scale       offsets are divided by this (0 or 1: unchanged), then
//   replay_align       rounded down to this power of 2 (0: unchanged), in that order.
//   replay_skip        records of the listed kinds are not replayed.
//
// Timing (TraceTiming, see trace.h): with kGaps, record i may be issued scale(t_i - t_p) after
// the previous replayed record p was actually issued — fio measures each delay from
// td->last_issue, so when the device falls behind, the rest of the trace shifts later. With
// kAbsolute, record i may be issued at start + scale(t_i), but never before the previous
// record (replay keeps the trace order, as fio's one submitting thread does). The first record
// of a kGaps trace waits scale(t_0) after `start`.
//
// The caller (a simulated job) owns the rest: it takes next(), waits until next().earliest
// and for a free iodepth slot, issues the I/O and reports the time with issued(). Ordering is
// kept: a record is never offered before the previous one was issued.
//
// Deviations from fio 3.33, on purpose: replay_time_scale also scales v2 "wait" times and
// DiskSim arrivals (fio scales only v3 timestamps); a skipped record's gap is carried to the
// next replayed record (fio drops it, compressing time); replay_skip=sync also skips
// datasync (fio replays datasync regardless); fio's quirk of ignoring the gap after a line
// whose timestamp is exactly 0 is not reproduced. `timing` is an mdsim extension.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"
#include "workloads/trace.h"

namespace mdsim {

struct ReplayOptions {
  bool no_stall = false;              // replay_no_stall
  int time_scale = 100;               // replay_time_scale, percent, >= 1
  std::string redirect;               // replay_redirect; empty: keep the trace's files
  uint64_t scale = 0;                 // replay_scale; 0 or 1: offsets unchanged
  uint64_t align = 0;                 // replay_align; 0 or a power of 2
  bool skip_read = false;             // replay_skip=read
  bool skip_write = false;            // replay_skip=write
  bool skip_trim = false;             // replay_skip=trim
  bool skip_sync = false;             // replay_skip=sync (sync and datasync)
  std::optional<TraceTiming> timing;  // overrides Trace::timing
};

// One record as it is to be replayed.
struct ReplayIo {
  size_t index = 0;  // position of the record in Trace::records
  TraceOp op = TraceOp::kRead;
  uint8_t flags = 0;
  uint32_t file = 0;  // index into TraceReplay::files()
  uint64_t offset = 0;
  uint32_t length = 0;
  Time earliest = 0;  // the earliest simulated time it may be issued
};

class TraceReplay {
 public:
  // `trace` must outlive the replay. `start` is when the replaying job starts. Invalid options
  // (time_scale < 1, align not a power of 2) throw std::invalid_argument; the job-file layer
  // is expected to have reported them with file and line already.
  TraceReplay(const Trace& trace, const ReplayOptions& options, Time start);

  // The files the replay's records refer to (one entry with replay_redirect).
  const std::vector<std::string>& files() const { return files_; }

  bool done() const { return pos_ >= trace_->records.size(); }
  // The next record to issue. Requires !done().
  const ReplayIo& next() const;
  // The caller issued next() at `t`; moves on. Aborts if t < next().earliest or done().
  void issued(Time t);

  size_t issued_count() const { return issued_; }
  // Records the replay will issue in all (after replay_skip).
  size_t total() const { return total_; }

 private:
  bool skipped(const TraceRecord& r) const;
  void seek();  // moves pos_ to the next record not skipped and fills next_

  const Trace* trace_;
  ReplayOptions options_;
  TraceTiming timing_;
  Time start_;
  std::vector<std::string> files_;
  size_t pos_ = 0;
  size_t issued_ = 0;
  size_t total_ = 0;
  Time last_issue_;     // when the previous record was issued (start_ before the first)
  Time last_t_ns_ = 0;  // the previous replayed record's trace time (0 before the first)
  ReplayIo next_;
};

// The issue times of a whole replay if every record is issued at its earliest time (an
// unbounded iodepth and a device that never holds the submitter up). For plans and tests.
std::vector<Time> ideal_issue_times(const Trace& trace, const ReplayOptions& options, Time start);

}  // namespace mdsim
