// DiskSim ASCII traces: a sample in the DiskSim 4.0 manual's format (several devices, the
// SYNCHRONOUS/ASYNCHRONOUS flag bits, sequential and random requests), block size, exact
// time conversion, open-loop replay, and every malformed line.
#include "workloads/disksim_trace.h"

#include <gtest/gtest.h>

#include "workloads/trace_replay.h"

namespace mdsim {
namespace {

const char* const kSample =
    "0.000000 0 1024 8 1\n"
    "0.512000 0 1032 8 1\n"
    "1.250000 1 884736 16 0\n"
    "1.250000 0 1040 8 81\n"
    "\n"
    "7.004317 1 12 128 0x100\n"
    "12.5 2 0 1 80\n"
    "1.5e1 0 99 8 101\n";

TEST(DiskSim, RequestsFollowTheManualsFiveFields) {
  Trace t = parse_disksim(std::string(kSample), "sample.trace");
  EXPECT_EQ(t.timing, TraceTiming::kAbsolute);
  EXPECT_EQ(t.files, (std::vector<std::string>{"dev0", "dev1", "dev2"}));
  std::vector<TraceRecord> want = {
      {0, TraceOp::kRead, 0, 0, 1024 * 512, 4096},
      {512000, TraceOp::kRead, 0, 0, 1032 * 512, 4096},
      {1250000, TraceOp::kWrite, 0, 1, 884736ull * 512, 8192},
      {1250000, TraceOp::kRead, 0, 0, 1040 * 512, 4096},  // 0x81: SYNCHRONOUS | READ
      {7004317, TraceOp::kWrite, 0, 1, 12 * 512, 65536},  // 0x100: ASYNCHRONOUS write
      {12500000, TraceOp::kWrite, 0, 2, 0, 512},          // 0x80: SYNCHRONOUS write
      {15000000, TraceOp::kRead, 0, 0, 99 * 512, 4096},   // 0x101
  };
  EXPECT_EQ(t.records, want);
}

TEST(DiskSim, BlockSizeAndSubNanosecondDigits) {
  Trace t = parse_disksim("0.0000019 3 10 2 1\n", "x.trace", {4096});
  ASSERT_EQ(t.records.size(), 1u);
  EXPECT_EQ(t.records[0].t_ns, 1);  // 1.9 ns, truncated
  EXPECT_EQ(t.records[0].offset, 40960u);
  EXPECT_EQ(t.records[0].length, 8192u);
  EXPECT_EQ(t.files, std::vector<std::string>{"dev3"});
}

TEST(DiskSim, ArrivalsAreOpenLoop) {
  Trace t = parse_disksim(std::string(kSample), "sample.trace");
  TraceReplay r(t, {}, kSecond);
  EXPECT_EQ(r.next().earliest, kSecond);
  r.issued(kSecond + 5 * kMillisecond);  // held up 5 ms
  EXPECT_EQ(r.next().earliest, kSecond + 5 * kMillisecond);
  r.issued(r.next().earliest);
  r.issued(r.next().earliest);
  r.issued(r.next().earliest);
  EXPECT_EQ(r.next().earliest, kSecond + 7004317);  // still due at its own arrival time
  ReplayOptions o;
  o.time_scale = 1000;
  EXPECT_EQ(ideal_issue_times(t, o, 0).back(), 1500000);
}

std::string error_of(const std::string& text) {
  try {
    parse_disksim(text, "bad.trace");
  } catch (const TraceError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DiskSim, MalformedLinesAreErrorsWithTheirLine) {
  struct Case {
    std::string text, error;
  } cases[] = {
      {"", "bad.trace: no requests in the DiskSim trace"},
      {"0.0 0 1 8\n",
       "bad.trace:1: expected 5 fields \"ARRIVAL_MS DEVNO BLKNO SIZE FLAGS\", got 4"},
      {"0.0 0 1 8 1 extra\n",
       "bad.trace:1: expected 5 fields \"ARRIVAL_MS DEVNO BLKNO SIZE FLAGS\", got 6"},
      {"# comment\n",
       "bad.trace:1: expected 5 fields \"ARRIVAL_MS DEVNO BLKNO SIZE FLAGS\", got 2"},
      {"-1.0 0 1 8 1\n",
       "bad.trace:1: bad arrival time \"-1.0\" (expected non-negative milliseconds)"},
      {"1.0ms 0 1 8 1\n",
       "bad.trace:1: bad arrival time \"1.0ms\" (expected non-negative milliseconds)"},
      {"5.0 0 1 8 1\n4.5 0 1 8 1\n",
       "bad.trace:2: arrival time 4.5 ms is before the previous request's 5.0 ms (DiskSim "
       "traces must be in ascending time order)"},
      {"0 -1 1 8 1\n", "bad.trace:1: bad device number \"-1\""},
      {"0 0 1.5 8 1\n", "bad.trace:1: bad block number \"1.5\""},
      {"0 0 1 eight 1\n", "bad.trace:1: bad request size \"eight\""},
      {"0 0 1 0 1\n", "bad.trace:1: request size 0"},
      {"0 0 1 8 R\n", "bad.trace:1: bad flags \"R\" (expected a hex number)"},
      {"0 0 1 8388608 1\n",
       "bad.trace:1: request size 8388608 blocks out of range (at most 8388607)"},
      {"0 0 36028797018963968 8 1\n", "bad.trace:1: block number 36028797018963968 out of range"},
  };
  for (const Case& c : cases) EXPECT_EQ(error_of(c.text), c.error) << c.text;
  EXPECT_THROW(read_disksim("/nonexistent/x.trace"), TraceError);
}

}  // namespace
}  // namespace mdsim
