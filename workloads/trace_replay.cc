// The issue schedule of a trace replay: see trace_replay.h.
#include "workloads/trace_replay.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace mdsim {

namespace {

// d * 100 / percent without overflow for any d a trace can hold.
Time scaled(Time d, int percent) {
  if (percent == 100) return d;
  __int128 v = static_cast<__int128>(d) * 100 / percent;
  return v > kTimeMax ? kTimeMax : static_cast<Time>(v);
}

Time saturating_add(Time a, Time b) { return b > kTimeMax - a ? kTimeMax : a + b; }

}  // namespace

TraceReplay::TraceReplay(const Trace& trace, const ReplayOptions& options, Time start)
    : trace_(&trace),
      options_(options),
      timing_(options.timing.value_or(trace.timing)),
      start_(start),
      last_issue_(start) {
  if (options_.time_scale < 1) {
    throw std::invalid_argument("replay_time_scale must be at least 1, got " +
                                std::to_string(options_.time_scale));
  }
  if (options_.align != 0 && (options_.align & (options_.align - 1)) != 0) {
    throw std::invalid_argument("replay_align must be a power of 2, got " +
                                std::to_string(options_.align));
  }
  if (options_.redirect.empty()) {
    files_ = trace.files;
  } else {
    files_ = {options_.redirect};
  }
  for (const TraceRecord& r : trace.records) {
    if (!skipped(r)) ++total_;
  }
  seek();
}

bool TraceReplay::skipped(const TraceRecord& r) const {
  switch (r.op) {
    case TraceOp::kRead:
      return options_.skip_read;
    case TraceOp::kWrite:
      return options_.skip_write;
    case TraceOp::kTrim:
      return options_.skip_trim;
    case TraceOp::kSync:
      return options_.skip_sync;
  }
  return false;
}

void TraceReplay::seek() {
  const std::vector<TraceRecord>& recs = trace_->records;
  while (pos_ < recs.size() && skipped(recs[pos_])) ++pos_;
  if (pos_ >= recs.size()) return;
  const TraceRecord& r = recs[pos_];
  next_.index = pos_;
  next_.op = r.op;
  next_.flags = r.flags;
  next_.file = options_.redirect.empty() ? r.file : 0;
  next_.length = r.length;
  uint64_t off = r.offset;
  if (options_.scale > 1) off /= options_.scale;
  if (options_.align != 0) off &= ~(options_.align - 1);
  next_.offset = off;
  if (options_.no_stall) {
    next_.earliest = last_issue_;
  } else if (timing_ == TraceTiming::kGaps) {
    Time gap = std::max<Time>(0, r.t_ns - last_t_ns_);
    next_.earliest = saturating_add(last_issue_, scaled(gap, options_.time_scale));
  } else {
    Time at = saturating_add(start_, scaled(std::max<Time>(0, r.t_ns), options_.time_scale));
    next_.earliest = std::max(at, last_issue_);
  }
}

const ReplayIo& TraceReplay::next() const {
  if (done()) {
    std::fprintf(stderr, "TraceReplay::next: the replay of %s is done\n", trace_->source.c_str());
    std::abort();
  }
  return next_;
}

void TraceReplay::issued(Time t) {
  const ReplayIo& io = next();
  if (t < io.earliest) {
    std::fprintf(stderr,
                 "TraceReplay::issued: record %zu of %s issued at %lld ns, before its earliest "
                 "time %lld ns\n",
                 io.index, trace_->source.c_str(), static_cast<long long>(t),
                 static_cast<long long>(io.earliest));
    std::abort();
  }
  last_issue_ = t;
  last_t_ns_ = trace_->records[pos_].t_ns;
  ++issued_;
  ++pos_;
  seek();
}

std::vector<Time> ideal_issue_times(const Trace& trace, const ReplayOptions& options, Time start) {
  TraceReplay replay(trace, options, start);
  std::vector<Time> out;
  out.reserve(replay.total());
  while (!replay.done()) {
    Time t = replay.next().earliest;
    out.push_back(t);
    replay.issued(t);
  }
  return out;
}

}  // namespace mdsim
