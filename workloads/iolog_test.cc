// fio iologs written by hand: v2 waits, v3 timestamps, the v3 writer's exact output and round
// trip, and every malformed line. (Logs written by the real fio: iolog_fio_test.cc.)
#include "workloads/iolog.h"

#include <gtest/gtest.h>

#include <sstream>

#include "workloads/trace_replay.h"

namespace mdsim {
namespace {

TEST(Iolog, WriterFormatAndDatasync) {
  Trace t;
  t.files = {"/dev/a", "/dev/b"};
  t.records = {{1500, TraceOp::kWrite, 0, 1, 4096, 512},
               {2000999, TraceOp::kSync, kTraceDatasync, 0, 0, 0},
               {3000000, TraceOp::kTrim, kTraceFua, 0, 1 << 20, 65536}};
  std::ostringstream out;
  write_iolog(out, t);
  EXPECT_EQ(out.str(),
            "fio version 3 iolog\n0 /dev/a add\n0 /dev/b add\n0 /dev/a open\n0 /dev/b open\n"
            "1 /dev/b write 4096 512\n2000 /dev/a datasync 0 0\n3000 /dev/a trim 1048576 65536\n"
            "3000 /dev/a close\n3000 /dev/b close\n");
  Trace back = parse_iolog(out.str(), "w.log");
  ASSERT_EQ(back.records.size(), 3u);
  EXPECT_EQ(back.records[0].t_ns, 1000);  // truncated to whole microseconds
  EXPECT_EQ(back.records[1].t_ns, 2000000);
  EXPECT_EQ(back.records[1].flags, kTraceDatasync);
  EXPECT_EQ(back.records[2].flags, 0) << "FUA cannot be written to an iolog";
  t.files[1] = "has space";
  std::ostringstream bad;
  EXPECT_THROW(write_iolog(bad, t), TraceError);
}

TEST(Iolog, Version2WaitsAreMillisecondsSinceTheStart) {
  // fio 3.33 sleeps until WAIT ms after it started; an earlier wait point does nothing.
  Trace t = parse_iolog(
      "fio version 2 iolog\n/dev/sdb add\n/dev/sdb open\n/dev/sdb write 0 4096\n"
      "/dev/sdb wait 300 0\n/dev/sdb write 4096 4096\n/dev/sdb read 8192 8192\n"
      "/dev/sdb wait 200 0\n/dev/sdb trim 0 1048576\n/dev/sdb wait 600 0\n\n"
      "/dev/sdb sync 0 0\n/dev/sdb datasync 0 0\n/dev/sdb close\n",
      "v2.log");
  EXPECT_EQ(t.timing, TraceTiming::kAbsolute);
  ASSERT_EQ(t.records.size(), 6u);
  std::vector<Time> at;
  for (const TraceRecord& r : t.records) at.push_back(r.t_ns / kMillisecond);
  EXPECT_EQ(at, (std::vector<Time>{0, 300, 300, 300, 600, 600}));
  EXPECT_EQ(t.records[2].op, TraceOp::kRead);
  EXPECT_EQ(t.records[2].length, 8192u);
  EXPECT_EQ(t.records[3].op, TraceOp::kTrim);
  EXPECT_EQ(t.records[4].op, TraceOp::kSync);
  EXPECT_EQ(t.records[5].flags, kTraceDatasync);

  // Absolute times: a late I/O does not move later wait points.
  TraceReplay replay(t, {}, kSecond);
  EXPECT_EQ(replay.next().earliest, kSecond);
  replay.issued(kSecond + 400 * kMillisecond);  // the first write was held up for 400 ms
  EXPECT_EQ(replay.next().earliest, kSecond + 400 * kMillisecond);  // its wait point passed
  replay.issued(replay.next().earliest);
  replay.issued(replay.next().earliest);
  replay.issued(replay.next().earliest);
  EXPECT_EQ(replay.next().earliest, kSecond + 600 * kMillisecond);
  ReplayOptions fast;
  fast.time_scale = 300;
  EXPECT_EQ(ideal_issue_times(t, fast, 0),
            (std::vector<Time>{0, 100 * kMillisecond, 100 * kMillisecond, 100 * kMillisecond,
                               200 * kMillisecond, 200 * kMillisecond}));
}

TEST(Iolog, Version3TimestampsCountFromTheFirstLineAndNeverGoBack) {
  Trace t = parse_iolog(
      "fio version 3 iolog\n100 f add\n150 f open\n1150 f write 0 4096\n"
      "900 f write 4096 4096\n1900 f read 0 4096\n1900 f close\n",
      "v3.log");
  ASSERT_EQ(t.records.size(), 3u);
  // 1150 - 100; then a step back (no delay, as fio's delay_since_ttime); then +1000.
  EXPECT_EQ(t.records[0].t_ns, 1050 * kMicrosecond);
  EXPECT_EQ(t.records[1].t_ns, 1050 * kMicrosecond);
  EXPECT_EQ(t.records[2].t_ns, 2050 * kMicrosecond);
}

std::string error_of(const std::string& text) {
  try {
    parse_iolog(text, "bad.log");
  } catch (const TraceError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Iolog, EveryMalformedLineIsAnErrorWithItsLine) {
  const std::string v2 = "fio version 2 iolog\nf add\nf open\n";
  const std::string v3 = "fio version 3 iolog\n1 f add\n2 f open\n";
  struct Case {
    std::string text, error;
  } cases[] = {
      {"", "bad.log: empty file, not a fio iolog"},
      {"0, 4096, 512\n",
       "bad.log:1: not a fio iolog: the first line must be \"fio version 2 iolog\" or \"fio "
       "version 3 iolog\" (version 1 logs are no longer supported by fio)"},
      {v2, "bad.log: the iolog holds no I/O"},
      {v2 + "f write 0\n", "bad.log:4: expected \"FILE ACTION [OFFSET LENGTH]\", got 3 fields"},
      {v2 + "f write 0 4096 9\n",
       "bad.log:4: expected \"FILE ACTION [OFFSET LENGTH]\", got 5 fields"},
      {v2 + "f append 0 4096\n",
       "bad.log:4: unknown action \"append\" (expected add, open, close, read, write, trim, "
       "sync, datasync or wait)"},
      {v2 + "f read\n", "bad.log:4: read needs an offset and a length"},
      {v2 + "f close 0 0\n", "bad.log:4: close takes no offset and length"},
      {v2 + "f read 0x10 4096\n", "bad.log:4: bad offset \"0x10\" (expected a decimal number)"},
      {v2 + "f read -4096 4096\n", "bad.log:4: bad offset \"-4096\" (expected a decimal number)"},
      {v2 + "f read 0 4k\n", "bad.log:4: bad length \"4k\" (expected a decimal number)"},
      {v2 + "f read 0 4294967296\n",
       "bad.log:4: length 4294967296 out of range (at most 4294967295)"},
      {v2 + "f read 99999999999999999999 512\n",
       "bad.log:4: offset 99999999999999999999 out of range (at most 18446744073709551615)"},
      {v2 + "f write 0 0\n", "bad.log:4: zero-length write"},
      {v2 + "g write 0 512\n", "bad.log:4: write on file g, which was never added"},
      {"fio version 2 iolog\nf add\nf trim 0 512\n",
       "bad.log:3: trim on file f, which is not open"},
      {v2 + "g open\n", "bad.log:4: open of file g, which was never added"},
      {v2 + "f add\n", "bad.log:4: file f added twice"},
      {v2 + "f open\n", "bad.log:4: open of file f, which is already open"},
      {v2 + "f close\nf close\n", "bad.log:5: close of file f, which is not open"},
      {v2 + "f read 0 512\nfio version 2 iolog\n",
       "bad.log:5: a second iolog header (fio appends to an existing write_iolog file; were "
       "two runs logged to the same file?)"},
      {v3 + "f read 0 512\n", "bad.log:4: bad timestamp \"f\" (expected a decimal number)"},
      {v3 + "3 f wait 10 0\n",
       "bad.log:4: wait is not allowed in a version 3 iolog (its timestamps give the timing)"},
      {v3 + "3 f read 0\n",
       "bad.log:4: expected \"USEC FILE ACTION [OFFSET LENGTH]\", got 3 fields after the "
       "timestamp"},
      {v3 + "3 f\n",
       "bad.log:4: expected \"USEC FILE ACTION [OFFSET LENGTH]\", got 1 fields after the "
       "timestamp"},
  };
  for (const Case& c : cases) EXPECT_EQ(error_of(c.text), c.error) << c.text;
  EXPECT_THROW(read_iolog("/nonexistent/iolog"), TraceError);
}

}  // namespace
}  // namespace mdsim
