// The replay schedule on small hand-made traces: gaps vs absolute timing, a device that falls
// behind, replay_no_stall, replay_time_scale, replay_scale/align, replay_skip, replay_redirect.
// (Replays of logs written by the real fio are in iolog_test.cc.)
#include "workloads/trace_replay.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mdsim {
namespace {

constexpr Time kMs = kMillisecond;

Trace trace_at(std::vector<Time> times, TraceTiming timing) {
  Trace t;
  t.files = {"/dev/sdb", "/dev/sdc"};
  t.timing = timing;
  t.source = "test";
  uint64_t off = 0;
  for (size_t i = 0; i < times.size(); ++i) {
    TraceOp op = i % 2 == 0 ? TraceOp::kRead : TraceOp::kWrite;
    t.records.push_back({times[i], op, 0, static_cast<uint32_t>(i % 2), off, 4096});
    off += 1 << 20;
  }
  return t;
}

TEST(TraceReplay, GapsAreCountedFromThePreviousActualIssue) {
  Trace t = trace_at({2 * kMs, 3 * kMs, 5 * kMs, 5 * kMs}, TraceTiming::kGaps);
  EXPECT_EQ(ideal_issue_times(t, {}, 10 * kMs),
            (std::vector<Time>{12 * kMs, 13 * kMs, 15 * kMs, 15 * kMs}));
  TraceReplay r(t, {}, 10 * kMs);
  EXPECT_EQ(r.total(), 4u);
  EXPECT_EQ(r.next().earliest, 12 * kMs);  // the first record keeps its offset from the start
  r.issued(12 * kMs);
  r.issued(20 * kMs);                      // no free iodepth slot until 20 ms
  EXPECT_EQ(r.next().earliest, 22 * kMs);  // its 2 ms gap counts from 20 ms
  r.issued(22 * kMs);
  EXPECT_EQ(r.next().earliest, 22 * kMs);
  r.issued(23 * kMs);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.issued_count(), 4u);
}

TEST(TraceReplay, AbsoluteTimesDoNotShiftButKeepTheOrder) {
  Trace t = trace_at({1 * kMs, 2 * kMs, 6 * kMs}, TraceTiming::kAbsolute);
  TraceReplay r(t, {}, 100 * kMs);
  EXPECT_EQ(r.next().earliest, 101 * kMs);
  r.issued(104 * kMs);                      // late
  EXPECT_EQ(r.next().earliest, 104 * kMs);  // due at 102 ms, but not before its predecessor
  r.issued(104 * kMs);
  EXPECT_EQ(r.next().earliest, 106 * kMs);  // unaffected by the lateness
  // The same trace with gap timing (an mdsim override) shifts instead.
  ReplayOptions gaps;
  gaps.timing = TraceTiming::kGaps;
  TraceReplay g(t, gaps, 100 * kMs);
  g.issued(104 * kMs);
  g.issued(g.next().earliest);
  EXPECT_EQ(g.next().earliest, 109 * kMs);
}

TEST(TraceReplay, NoStallIgnoresTimestampsButNotOrder) {
  for (TraceTiming timing : {TraceTiming::kGaps, TraceTiming::kAbsolute}) {
    Trace t = trace_at({0, 40 * kMs, 41 * kMs, 900 * kMs}, timing);
    ReplayOptions o;
    o.no_stall = true;
    EXPECT_EQ(ideal_issue_times(t, o, 3 * kMs), (std::vector<Time>(4, 3 * kMs)));
    TraceReplay r(t, o, 0);
    r.issued(0);
    r.issued(7 * kMs);
    EXPECT_EQ(r.next().earliest, 7 * kMs);
  }
}

TEST(TraceReplay, TimeScaleIsPercentOfTheTraceRate) {
  Trace t = trace_at({0, 10 * kMs, 30 * kMs, 30 * kMs + 1000}, TraceTiming::kGaps);
  ReplayOptions o;
  o.time_scale = 200;  // twice the rate: gaps halved
  EXPECT_EQ(ideal_issue_times(t, o, 0), (std::vector<Time>{0, 5 * kMs, 15 * kMs, 15 * kMs + 500}));
  o.time_scale = 50;  // half the rate: gaps doubled
  EXPECT_EQ(ideal_issue_times(t, o, 0),
            (std::vector<Time>{0, 20 * kMs, 60 * kMs, 60 * kMs + 2000}));
  o.time_scale = 300;  // gaps of 10 ms, 20 ms, 1 us -> 3.333 ms, 6.666 ms, 333 ns
  EXPECT_EQ(ideal_issue_times(t, o, 0),
            (std::vector<Time>{0, 3333333, 3333333 + 6666666, 3333333 + 6666666 + 333}));
  o.time_scale = 1;
  EXPECT_EQ(ideal_issue_times(t, o, 0).back(), 3 * kSecond + 100000);
  Trace a = trace_at({4 * kMs, 8 * kMs}, TraceTiming::kAbsolute);
  o.time_scale = 400;
  EXPECT_EQ(ideal_issue_times(a, o, kSecond),
            (std::vector<Time>{kSecond + kMs, kSecond + 2 * kMs}));
}

TEST(TraceReplay, OffsetsAreScaledThenAligned) {
  Trace t = trace_at({0}, TraceTiming::kGaps);
  t.records[0].offset = 1000000;
  ReplayOptions o;
  o.scale = 10;    // 100000
  o.align = 4096;  // rounded down: 98304
  TraceReplay r(t, o, 0);
  EXPECT_EQ(r.next().offset, 98304u);
  EXPECT_EQ(r.next().length, 4096u);
  ReplayOptions only_align;
  only_align.align = 65536;
  EXPECT_EQ(TraceReplay(t, only_align, 0).next().offset, 983040u);
  EXPECT_EQ(TraceReplay(t, {}, 0).next().offset, 1000000u);
}

TEST(TraceReplay, SkippedRecordsLeaveTheirTimeToTheNext) {
  // read@0, write@1, read@2, write@5 (ms); replay_skip=read.
  Trace t = trace_at({0, 1 * kMs, 2 * kMs, 5 * kMs}, TraceTiming::kGaps);
  ReplayOptions o;
  o.skip_read = true;
  TraceReplay r(t, o, 0);
  EXPECT_EQ(r.total(), 2u);
  EXPECT_EQ(r.next().index, 1u);
  EXPECT_EQ(r.next().op, TraceOp::kWrite);
  EXPECT_EQ(r.next().earliest, 1 * kMs);
  r.issued(1 * kMs);
  EXPECT_EQ(r.next().index, 3u);
  EXPECT_EQ(r.next().earliest, 5 * kMs);
  r.issued(5 * kMs);
  EXPECT_TRUE(r.done());
  ReplayOptions none;
  none.skip_read = none.skip_write = true;
  TraceReplay empty(t, none, 0);
  EXPECT_TRUE(empty.done());
  EXPECT_EQ(empty.total(), 0u);
}

TEST(TraceReplay, RedirectSendsEveryRecordToOneFile) {
  Trace t = trace_at({0, 0, 0}, TraceTiming::kGaps);
  TraceReplay keep(t, {}, 0);
  EXPECT_EQ(keep.files(), t.files);
  keep.issued(0);
  EXPECT_EQ(keep.next().file, 1u);
  ReplayOptions o;
  o.redirect = "/dev/md127";
  TraceReplay r(t, o, 0);
  EXPECT_EQ(r.files(), std::vector<std::string>{"/dev/md127"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.next().file, 0u);
    r.issued(0);
  }
}

TEST(TraceReplay, BadOptionsAndMisuse) {
  Trace t = trace_at({0, kMs}, TraceTiming::kGaps);
  ReplayOptions o;
  o.time_scale = 0;
  EXPECT_THROW(TraceReplay(t, o, 0), std::invalid_argument);
  o.time_scale = 100;
  o.align = 3000;
  EXPECT_THROW(TraceReplay(t, o, 0), std::invalid_argument);
  TraceReplay r(t, {}, 0);
  r.issued(0);
  EXPECT_DEATH(r.issued(kMs - 1), "before its earliest time");
  r.issued(kMs);
  EXPECT_DEATH(r.next(), "is done");
}

}  // namespace
}  // namespace mdsim
