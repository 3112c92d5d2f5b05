// blkparse text output: a realistic `blkparse -i sdb` excerpt (remaps, merges, plugs, a
// readahead, a journal flush and FUA commit, a discard, a SCSI passthrough command, a CFQ
// message, the summary), read as Q events and as D events; several devices; bad lines.
#include "workloads/blkparse_trace.h"

#include <gtest/gtest.h>

#include "workloads/trace_replay.h"

namespace mdsim {
namespace {

const char* const kSdb =
    "  8,16   1        1     0.000000000  4162  A   W 2048 + 8 <- (8,17) 0\n"
    "  8,16   1        2     0.000000512  4162  Q   W 2048 + 8 [fio]\n"
    "  8,16   1        3     0.000002155  4162  G   W 2048 + 8 [fio]\n"
    "  8,16   1        4     0.000002910  4162  P   N [fio]\n"
    "  8,16   1        5     0.000003500  4162  Q   W 2056 + 8 [fio]\n"
    "  8,16   1        6     0.000004100  4162  M   W 2056 + 8 [fio]\n"
    "  8,16   1        7     0.000005003  4162  U   N [fio] 1\n"
    "  8,16   1        8     0.000005300  4162  I   W 2048 + 16 [fio]\n"
    "  8,16   1        9     0.000008218  4162  D   W 2048 + 16 [fio]\n"
    "  8,16   0        1     0.000102345     0  C   W 2048 + 16 [0]\n"
    "  8,16   1       10     0.001000000  4170  Q  RA 40960 + 256 [cat]\n"
    "  8,16   1       11     0.001001000  4170  G  RA 40960 + 256 [cat]\n"
    "  8,16   1       12     0.001002000  4170  D  RA 40960 + 256 [cat]\n"
    "  8,16   1       13     0.002500000   611  Q FWS [jbd2/sdb1-8]\n"
    "  8,16   1       14     0.002501000   611  G FWS [jbd2/sdb1-8]\n"
    "  8,16   1       15     0.002502000   611  I FWS [jbd2/sdb1-8]\n"
    "  8,16   1       16     0.002503000   219  D  FN [kworker/1:1H]\n"
    "  8,16   1       17     0.002800000   611  Q WFS 1056 + 8 [jbd2/sdb1-8]\n"
    "  8,16   1       18     0.002801000   611  D WFS 1056 + 8 [jbd2/sdb1-8]\n"
    "  8,16   1       19     0.003000000  5120  Q   D 81920 + 2048 [fstrim]\n"
    "  8,16   1       20     0.003001000  5120  D   D 81920 + 2048 [fstrim]\n"
    "  8,16   2        1     0.003100000  6001  D   R 36 (12 00 00 00 24 00 ..) [sg_inq]\n"
    "  8,16   1       21     0.003200000  7002  Q  WS 4096 + 8 [Web Content]\n"
    "  8,16   1       22     0.003300000  7002  Q  WSM 4104 + 8 (    1234) [Web Content]\n"
    "  8,16   2        2     0.003400000     0  m   N cfq7002S / dispatched a request\n"
    "  8,16   0        2     0.003900000     0  C  WS 4096 + 8 [0]\n"
    "CPU0 (8,16):\n"
    " Reads Queued:           0,        0KiB\t Writes Queued:           0,        0KiB\n"
    " Read Dispatches:        0,        0KiB\t Write Dispatches:        0,        0KiB\n"
    "Total (8,16):\n"
    " Reads Queued:           1,      128KiB\t Writes Queued:           6,     1060KiB\n"
    "Throughput (R/W): 32000KiB/s / 265000KiB/s\n"
    "Events (8,16): 26 entries\n"
    "Skips: 0 forward (0 -   0.0%)\n";

TEST(Blkparse, QueueEventsAreTheSubmittedBios) {
  Trace t = parse_blkparse(std::string(kSdb), "sdb.txt");
  EXPECT_EQ(t.files, std::vector<std::string>{"8,16"});
  EXPECT_EQ(t.timing, TraceTiming::kGaps);
  EXPECT_EQ(t.source, "sdb.txt");
  std::vector<TraceRecord> want = {
      {0, TraceOp::kWrite, 0, 0, 2048 * 512, 4096},
      {2988, TraceOp::kWrite, 0, 0, 2056 * 512, 4096},
      {999488, TraceOp::kRead, kTraceReadahead, 0, 40960 * 512, 256 * 512},
      {2499488, TraceOp::kSync, kTracePreflush | kTraceSync, 0, 0, 0},
      {2799488, TraceOp::kWrite, kTraceFua | kTraceSync, 0, 1056 * 512, 4096},
      {2999488, TraceOp::kTrim, 0, 0, 81920 * 512, 1 << 20},
      {3199488, TraceOp::kWrite, kTraceSync, 0, 4096 * 512, 4096},
      {3299488, TraceOp::kWrite, kTraceSync | kTraceMeta, 0, 4104 * 512, 4096},
  };
  EXPECT_EQ(t.records, want);
}

TEST(Blkparse, IssueEventsAreTheDispatchedRequests) {
  Trace t = parse_blkparse(std::string(kSdb), "sdb.txt", {BlkparseEvent::kIssue});
  std::vector<TraceRecord> want = {
      {0, TraceOp::kWrite, 0, 0, 2048 * 512, 8192},  // the two bios merged
      {993782, TraceOp::kRead, kTraceReadahead, 0, 40960 * 512, 256 * 512},
      {2494782, TraceOp::kSync, kTracePreflush, 0, 0, 0},
      {2792782, TraceOp::kWrite, kTraceFua | kTraceSync, 0, 1056 * 512, 4096},
      {2992782, TraceOp::kTrim, 0, 0, 81920 * 512, 1 << 20},
  };  // and not the SCSI INQUIRY
  EXPECT_EQ(t.records, want);
}

TEST(Blkparse, SeveralDevicesAreFilesAndTimeOrderIsRestored) {
  Trace t = parse_blkparse(
      "  9,0    0        1     0.000010000  4162  Q   W 0 + 1024 [fio]\n"
      "  8,16   0        1     0.000011000  4162  Q   W 2048 + 512 [md0_raid1]\n"
      "  8,32   0        1     0.000011500  4162  Q   W 2048 + 512 [md0_raid1]\n"
      "  9,0    1        1     0.000010500  4163  Q   R 4096 + 8 [fio]\n"
      "259,0    1        2     1.5  4163  Q   R 8 + 8 [fio]\n",
      "multi.txt");
  EXPECT_EQ(t.files, (std::vector<std::string>{"9,0", "8,16", "8,32", "259,0"}));
  ASSERT_EQ(t.records.size(), 5u);
  EXPECT_EQ(t.records[0].t_ns, 0);
  EXPECT_EQ(t.records[1].t_ns, 500);  // the 9,0 read from CPU 1, put back in time order
  EXPECT_EQ(t.records[1].op, TraceOp::kRead);
  EXPECT_EQ(t.records[1].file, 0u);
  EXPECT_EQ(t.records[2].file, 1u);
  EXPECT_EQ(t.records[3].file, 2u);
  EXPECT_EQ(t.records[4].t_ns, 1500000000 - 10000);  // "1.5": fractions shorter than 9 digits
  EXPECT_EQ(t.records[4].file, 3u);
  ReplayOptions o;
  o.redirect = "/dev/md0";
  TraceReplay r(t, o, 0);
  EXPECT_EQ(r.files().size(), 1u);
  EXPECT_EQ(r.next().file, 0u);
}

std::string error_of(const std::string& text, BlkparseEvent ev = BlkparseEvent::kQueue) {
  try {
    parse_blkparse(text, "bad.txt", {ev});
  } catch (const TraceError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Blkparse, MalformedEventLinesAreErrorsWithTheirLine) {
  const std::string ok = "  8,0    3        1     0.000000000  1234  Q   W 223490 + 8 [fio]\n";
  const std::string h = "  8,0    3        2     0.000001000  1234  ";
  struct Case {
    std::string text, error;
  } cases[] = {
      {ok + h + "Q   W abc + 8 [fio]\n", "bad.txt:2: bad sector \"abc\""},
      {ok + h + "Q   W 223490 - 8 [fio]\n",
       "bad.txt:2: expected \"SECTOR + COUNT\" after the RWBS field"},
      {ok + h + "Q   W 223490 + x [fio]\n", "bad.txt:2: bad sector count \"x\""},
      {ok + h + "Q   W 223490 + 8\n", "bad.txt:2: expected \"[PROCESS]\" after \"SECTOR + COUNT\""},
      {ok + h + "Q   X 223490 + 8 [fio]\n",
       "bad.txt:2: bad RWBS \"X\": unknown operation 'X' (expected R, W, D or N)"},
      {ok + h + "Q  WQ 1 + 8 [fio]\n", "bad.txt:2: bad RWBS \"WQ\": unknown flag 'Q'"},
      {ok + h + "Q   N 1 + 8 [fio]\n", "bad.txt:2: bad RWBS \"N\": N (no data) without a flush"},
      {ok + h + "Q  FN 1 + 8 [fio]\n",
       "bad.txt:2: bad RWBS \"FN\": N (no data) with a sector and size"},
      {ok + h + "Q   W [fio]\n", "bad.txt:2: a write event of size 0 (\"W\") that is not a flush"},
      {ok + h + "Q   R 0 + 0 [fio]\n",
       "bad.txt:2: a read event of size 0 (\"R\") that is not a flush"},
      {ok + h + "Q   W 0 + 8388608 [fio]\n",
       "bad.txt:2: sector count 8388608 out of range (at most 8388607)"},
      {ok + "  8,0    3        2     0.00000000x  1234  Q   W 1 + 8 [fio]\n",
       "bad.txt:2: bad timestamp \"0.00000000x\" (expected SECONDS.NANOSECONDS)"},
      {ok + "  8,0    3        2     12  1234  C   W 1 + 8 [0]\n",
       "bad.txt:2: bad timestamp \"12\" (expected SECONDS.NANOSECONDS)"},
      {ok + "  8,0    3        2     0.0000000001  1234  Q   W 1 + 8 [fio]\n",
       "bad.txt:2: bad timestamp \"0.0000000001\" (expected SECONDS.NANOSECONDS)"},
      {ok + "  8,0    x        2     0.1  1234  Q   W 1 + 8 [fio]\n", "bad.txt:2: bad CPU \"x\""},
      {ok + "  8,0    3        2     0.1  pid  C   W 1 + 8 [0]\n", "bad.txt:2: bad PID \"pid\""},
      {ok + "  8,0    3        2     0.1  1234  Q\n",
       "bad.txt:2: truncated event line (expected DEV CPU SEQ SECONDS.NANOS PID ACTION RWBS "
       "...)"},
      {ok + h + "Q   W\n", "bad.txt:2: event without a sector or process name"},
      {"Total (8,0):\n Reads Queued: 0, 0KiB\n",
       "bad.txt: no Q events (is this blkparse's "
       "default text output?)"},
      {ok, "bad.txt: no D events (is this blkparse's default text output?)"},
  };
  for (const Case& c : cases) {
    BlkparseEvent ev = c.error.find("no D events") != std::string::npos ? BlkparseEvent::kIssue
                                                                        : BlkparseEvent::kQueue;
    EXPECT_EQ(error_of(c.text, ev), c.error) << c.text;
  }
  EXPECT_THROW(read_blkparse("/nonexistent/trace.txt"), TraceError);
}

}  // namespace
}  // namespace mdsim
