// Tests for fio's normal text output: fio's number formatting, unit switching and line layout
// on known values, and whole reports compared line by line with the text the real fio 3.33
// printed for the same run (tests/data/fio/*.txt beside the json+ it printed at the same time).
#include "results/fio_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "results/fio_test_support.h"

namespace mdsim {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(FioNum2str, FormatsLikeFio) {
  // Values and strings from the fixtures' fio output.
  EXPECT_EQ(fio_num2str(1999, 4, 1, false, FioUnit::kNone), "1999");
  EXPECT_EQ(fio_num2str(2720000, 4, 1, false, FioUnit::kNone), "2720k");
  EXPECT_EQ(fio_num2str(21397, 4, 1, false, FioUnit::kNone), "21.4k");
  EXPECT_EQ(fio_num2str(8190000, 4, 1, true, FioUnit::kBytePerSec), "7998KiB/s");
  EXPECT_EQ(fio_num2str(8190000, 4, 1, false, FioUnit::kBytePerSec), "8190kB/s");
  EXPECT_EQ(fio_num2str(11141120000, 4, 1, true, FioUnit::kBytePerSec), "10.4GiB/s");
  EXPECT_EQ(fio_num2str(11141120000, 4, 1, false, FioUnit::kBytePerSec), "11.1GB/s");
  EXPECT_EQ(fio_num2str(33423360, 4, 1, true, FioUnit::kByte), "31.9MiB");
  EXPECT_EQ(fio_num2str(16777216, 4, 1, true, FioUnit::kByte), "16.0MiB");
  EXPECT_EQ(fio_num2str(8388608, 4, 1, true, FioUnit::kByte), "8192KiB");
  EXPECT_EQ(fio_num2str(8388608, 4, 1, false, FioUnit::kByte), "8389kB");
  EXPECT_EQ(fio_num2str(4096, 4, 1, true, FioUnit::kByte), "4096B");
  EXPECT_EQ(fio_num2str(65536, 4, 1, true, FioUnit::kByte), "64.0KiB");
  EXPECT_EQ(fio_num2str(4000000, 4, 1, true, FioUnit::kBytePerSec), "3906KiB/s");
  EXPECT_EQ(fio_num2str(4000000, 4, 1, false, FioUnit::kBytePerSec), "4000kB/s");
  EXPECT_EQ(fio_num2str(12345, 4, 1, false, FioUnit::kNone), "12.3k");
  EXPECT_EQ(fio_num2str(1234567, 6, 1, false, FioUnit::kNone), "1234.6k");  // display_lat width
  EXPECT_EQ(fio_num2str(500, 4, 1, false, FioUnit::kBit), "4000bit");
  EXPECT_EQ(fio_num2str(3, 4, 1024, true, FioUnit::kByte), "3KiB");  // base pre-scales
}

// One job of 1000 reads of 4000 bytes in one second, clat given by `clat`.
FioRunResult one_job(const std::vector<Time>& clat) {
  FioRunResult run;
  FioJobResult job;
  job.name = "j";
  FioDirStats& r = job.dir(FioDdir::kRead);
  r.io_bytes = 4000000;
  r.total_ios = 1000;
  r.runtime = kSecond;
  for (Time c : clat) r.clat.add(c);
  job.job_runtime = kSecond;
  job.mark_depth(1, 1000);
  run.jobs.push_back(job);
  return run;
}

std::string line_starting(const std::string& text, const std::string& prefix) {
  for (const std::string& l : lines_of(text)) {
    if (l.rfind(prefix, 0) == 0) return l;
  }
  return "<none>";
}

TEST(FioText, DirectionLineAndGroupLine) {
  const std::string t = fio_text(one_job({50, 70}), {.preamble = false});
  EXPECT_EQ(line_starting(t, "  read:"),
            "  read: IOPS=1000, BW=3906KiB/s (4000kB/s)(3906KiB/1000msec)");
  EXPECT_EQ(line_starting(t, "   READ:"),
            "   READ: bw=3906KiB/s (4000kB/s), 3906KiB/s-3906KiB/s (4000kB/s-4000kB/s), "
            "io=3906KiB (4000kB), run=1000-1000msec");
  EXPECT_EQ(line_starting(t, "j: "),
            "j: (groupid=0, jobs=1): err= 0: pid=0: Thu Jan  1 00:00:00 1970");
  EXPECT_EQ(line_starting(t, "    clat"),
            "    clat (nsec): min=50, max=70, avg=60.00, stdev=14.14");
  EXPECT_EQ(line_starting(t, "  lat (nsec)"), "  lat (nsec)   : 100=0.20%");  // 2 of 1000
}

TEST(FioText, LatencyUnitsSwitchLikeFio) {
  // usec: min > 2000, max > 99999 and stdev > 1000 ns.
  std::string t = fio_text(one_job({3000, 200000}), {.preamble = false});
  EXPECT_EQ(line_starting(t, "    clat"),
            "    clat (usec): min=3, max=200, avg=101.50, stdev=139.30");
  EXPECT_EQ(line_starting(t, "    clat percentiles"), "    clat percentiles (usec):");
  // msec needs min > 2 ms, max > 99.99 ms, stdev > 1 ms.
  t = fio_text(one_job({3 * kMillisecond, 300 * kMillisecond}), {.preamble = false});
  EXPECT_EQ(line_starting(t, "    clat"),
            "    clat (msec): min=3, max=300, avg=151.50, stdev=210.01");
  // Large but constant: the stdev rule keeps nanoseconds.
  t = fio_text(one_job({150000, 150000}), {.preamble = false});
  EXPECT_EQ(line_starting(t, "    clat"),
            "    clat (nsec): min=150000, max=150000, avg=150000.00, stdev= 0.00");
}

TEST(FioText, PercentileBlockLayout) {
  std::vector<Time> clat;
  for (int i = 1; i <= 100; ++i) clat.push_back(i);  // exact bins: p-th percentile = p
  const std::vector<std::string> l = lines_of(fio_text(one_job(clat), {.preamble = false}));
  size_t i = 0;
  while (i < l.size() && l[i] != "    clat percentiles (nsec):") ++i;
  ASSERT_LT(i + 5, l.size());
  EXPECT_EQ(l[i + 1], "     |  1.00th=[    1],  5.00th=[    5], 10.00th=[   10], 20.00th=[   20],");
  EXPECT_EQ(l[i + 4], "     | 99.00th=[   99], 99.50th=[  100], 99.90th=[  100], 99.95th=[  100],");
  EXPECT_EQ(l[i + 5], "     | 99.99th=[  100]");
}

TEST(FioText, BandwidthAndIopsSampleLines) {
  FioRunResult run = one_job({50});
  FioDirStats& r = run.jobs[0].dir(FioDdir::kRead);
  r.add_bw_sample(kFioDefaultAvgTime, 2000000);  // 3906 KiB/s
  r.add_bw_sample(kFioDefaultAvgTime, 2000000);
  r.add_iops_sample(kFioDefaultAvgTime, 500);
  r.add_iops_sample(kFioDefaultAvgTime, 501);
  const std::string t = fio_text(run, {.preamble = false});
  // Group agg 4000000 B/s = 3906.25 KiB/s; the job's mean 3906 is 99.99% of it.
  EXPECT_EQ(line_starting(t, "   bw"),
            "   bw (  KiB/s): min= 3906, max= 3906, per=99.99%, avg=3906.00, stdev= 0.00, "
            "samples=2");
  EXPECT_EQ(line_starting(t, "   iops"),
            "   iops        : min= 1000, max= 1002, avg=1001.00, stdev= 1.41, samples=2");
}

TEST(FioText, DiskLinesWithSlaves) {
  FioRunResult run = one_job({50});
  run.disks = {
      {.name = "md0", .read_ios = 1000, .slaves = {"sda", "sdb"}},
      {.name = "sda", .read_ios = 501, .read_ticks = 40, .util = 97.5, .slaves = {}},
      {.name = "sdb", .read_ios = 500, .read_ticks = 43, .util = 98.25, .slaves = {}},
  };
  const std::vector<std::string> l = lines_of(fio_text(run, {.preamble = false}));
  ASSERT_GE(l.size(), 4u);
  EXPECT_EQ(l[l.size() - 4], "Disk stats (read/write):");
  EXPECT_EQ(l[l.size() - 3],
            "    md0: ios=1000/0, merge=0/0, ticks=0/0, in_queue=0, util=0.00%, aggrios=500/0, "
            "aggrmerge=0/0, aggrticks=41/0, aggrin_queue=0, aggrutil=98.25%");
  EXPECT_EQ(l[l.size() - 2], "  sda: ios=501/0, merge=0/0, ticks=40/0, in_queue=0, util=97.50%");
}

TEST(FioText, PreambleFromOptions) {
  FioRunResult run;
  run.fio_version = "fio-3.33";
  run.global_options = {{"ioengine", "null"}};
  FioJobResult a;
  a.name = "x";
  a.options = {{"rw", "readwrite"}, {"bs", "4k,64k"}, {"thread", "1"}, {"numjobs", "2"}};
  FioJobResult b;
  b.name = "y";
  b.groupid = 1;
  b.options = {{"rw", "randread:8"}, {"bsrange", "1k-1m"}, {"iodepth", "16"}};
  run.jobs = {a, a, a, b};
  EXPECT_EQ(fio_preamble(run),
            "x: (g=0): rw=rw, bs=(R) 4096B-4096B, (W) 64.0KiB-64.0KiB, (T) 64.0KiB-64.0KiB, "
            "ioengine=null, iodepth=1\n"
            "...\n"
            "y: (g=1): rw=randread, bs=(R) 1024B-1024KiB, (W) 1024B-1024KiB, (T) 1024B-1024KiB, "
            "ioengine=null, iodepth=16\n"
            "fio-3.33\n"
            "Starting 3 threads and 1 process\n");
}

// ---- Whole reports against the real fio ----

// The latency summary lines ("clat (usec): min=..") are checked for unit and shape only: a
// histogram rebuilt from fio's bins has slightly different extremes and moments.
const std::regex kLatSummary(R"(^    (slat|clat| lat|sync) \((nsec|usec|msec)\): min=)");
const std::regex kLatSummaryShape(R"(^    (slat|clat| lat|sync) \((nsec|usec|msec)\): )"
                                  R"(min=\d+(\.\d+)?k?, max=\d+(\.\d+)?k?, )"
                                  R"(avg=[ \d.]+, stdev=[ \d.]+$)");
// Latency distribution lines: same buckets, values within 0.05 (bins split at bucket edges).
const std::regex kLatDist(R"(^  lat \((nsec|usec|msec)\)   : )");
const std::regex kBucket(R"(([>=\d]+)=([\d.]+)%)");

void expect_same_dist_line(const std::string& ours, const std::string& fio) {
  ASSERT_EQ(ours.substr(0, 17), fio.substr(0, 17));
  std::vector<std::pair<std::string, double>> a;
  std::vector<std::pair<std::string, double>> b;
  for (std::sregex_iterator it(ours.begin(), ours.end(), kBucket), end; it != end; ++it) {
    a.emplace_back((*it)[1], std::stod((*it)[2]));
  }
  for (std::sregex_iterator it(fio.begin(), fio.end(), kBucket), end; it != end; ++it) {
    b.emplace_back((*it)[1], std::stod((*it)[2]));
  }
  ASSERT_EQ(a.size(), b.size()) << ours << "\n" << fio;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first) << fio;
    EXPECT_NEAR(a[i].second, b[i].second, 0.05) << fio;
  }
}

struct TextCase {
  const char* stem;
  int members;  // fio's JSON keeps the group's size only in the text ("jobs=N")
};

class FioTextFixture : public testing::TestWithParam<TextCase> {};

TEST_P(FioTextFixture, MatchesFioLineByLine) {
  const std::string stem = GetParam().stem;
  FioRunResult run = fio_test::run_from_fio_json(fio_test::read_json(stem + ".json"));
  std::vector<std::string> fio;
  for (const std::string& l :
       lines_of(fio_test::read_file(fio_test::fixture_path(stem + ".txt")))) {
    if (l.find(": Laying out IO file") == std::string::npos) fio.push_back(l);
  }
  // pids are not in fio's JSON: take them from its text, in job order.
  const std::regex header(R"(^\S+: \(groupid=\d+, jobs=\d+\): err=\s*\d+: pid=(\d+):)");
  size_t next = 0;
  for (const std::string& l : fio) {
    std::smatch m;
    if (std::regex_search(l, m, header) && next < run.jobs.size()) {
      run.jobs[next++].pid = std::stoi(m[1]);
    }
  }
  ASSERT_EQ(next, run.jobs.size());
  // A group: its other members (statistics already summed by fio) as empty clones.
  for (int i = 1; i < GetParam().members; ++i) {
    FioJobResult clone;
    clone.name = run.jobs[0].name;
    clone.options = run.jobs[0].options;
    clone.pid = -1;
    run.jobs.push_back(clone);
  }
  for (FioJobResult& j : run.jobs) j.group_reporting = GetParam().members > 1;

  const std::vector<std::string> ours = lines_of(fio_text(run));
  ASSERT_EQ(ours.size(), fio.size()) << fio_text(run);
  for (size_t i = 0; i < fio.size(); ++i) {
    SCOPED_TRACE(stem + ".txt line " + std::to_string(i + 1));
    std::smatch m;
    if (std::regex_search(fio[i], m, kLatSummary)) {
      EXPECT_EQ(ours[i].substr(0, static_cast<size_t>(m.length(0))), m.str(0));
      EXPECT_TRUE(std::regex_match(ours[i], kLatSummaryShape)) << ours[i];
    } else if (std::regex_search(fio[i], kLatDist)) {
      expect_same_dist_line(ours[i], fio[i]);
    } else {
      EXPECT_EQ(ours[i], fio[i]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fio333, FioTextFixture,
                         testing::Values(TextCase{"randrw-rate", 1}, TextCase{"randrw-group", 2},
                                         TextCase{"libaio-percentiles", 1},
                                         TextCase{"psync-fsync", 1}, TextCase{"two-groups", 1}));

}  // namespace
}  // namespace mdsim
