// Logs written by the real fio 3.33 (/usr/bin/fio --write_iolog, version 3) are read and
// replayed, and checked against what fio did as its own per-I/O latency log records it
// (--write_lat_log --log_offset=1: one line per completed I/O with direction, size and offset),
// independently of the iolog; fio's own replays of logs confirm the replay_time_scale and v2
// "wait" semantics the parser and the schedule model. Each test runs fio for well under a
// second.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "workloads/iolog.h"
#include "workloads/trace_replay.h"

namespace mdsim {
namespace {

constexpr const char* kFio = "/usr/bin/fio";

struct LatSample {
  uint64_t ms;  // completion time since the job started
  int ddir;     // 0 read, 1 write, 2 trim
  uint32_t bs;
  uint64_t offset;
};

// fio jobs in a fresh temporary directory, each logging its I/O in fio's per-I/O latency log
// with offsets; the first job also writes an iolog.
class FioJob : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mdsim_iolog_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs fio with `args` (@ stands for the temporary directory), writing the iolog @/iolog;
  // reads it into trace_ and the latency log into lat_.
  void run(const std::string& args) {
    run_fio("--name=t --write_iolog=" + dir_ + "/iolog " + args, "lat", &lat_);
    if (!HasFatalFailure()) trace_ = read_iolog(dir_ + "/iolog");
  }

  // Runs fio with `args`; its latency log (with offsets) goes to *lat.
  void run_fio(std::string args, const std::string& lat_name, std::vector<LatSample>* lat) {
    ASSERT_EQ(access(kFio, X_OK), 0)
        << kFio << " is missing: these tests run the real fio (Debian package fio 3.33)";
    for (size_t p; (p = args.find('@')) != std::string::npos;) args.replace(p, 1, dir_);
    std::string cmd = std::string(kFio) + " --output=/dev/null --ioengine=psync " + args +
                      " --write_lat_log=" + dir_ + "/" + lat_name + " --log_offset=1 2>" + dir_ +
                      "/stderr";
    int rc = std::system(cmd.c_str());
    std::ifstream err(dir_ + "/stderr");
    std::stringstream ss;
    ss << err.rdbuf();
    ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd << "\n" << ss.str();
    std::ifstream in(dir_ + "/" + lat_name + "_lat.1.log");
    ASSERT_TRUE(in) << "fio wrote no latency log";
    std::string line;
    while (std::getline(in, line)) {
      unsigned long long t, v, bs, off;
      int ddir, prio;
      ASSERT_EQ(std::sscanf(line.c_str(), "%llu, %llu, %d, %llu, %llu, %d", &t, &v, &ddir, &bs,
                            &off, &prio),
                6)
          << line;
      lat->push_back({t, ddir, static_cast<uint32_t>(bs), off});
    }
  }

  // The iolog's timestamps (µs) of the data I/O lines, and of its first line, read with a
  // plain scanf independent of the parser under test.
  std::vector<uint64_t> raw_timestamps(uint64_t* first_line) {
    std::ifstream in(dir_ + "/iolog");
    std::string line;
    std::getline(in, line);
    std::vector<uint64_t> out;
    bool first = true;
    while (std::getline(in, line)) {
      unsigned long long ts;
      char name[300], act[32];
      if (std::sscanf(line.c_str(), "%llu %299s %31s", &ts, name, act) != 3) continue;
      if (first) *first_line = ts;
      first = false;
      std::string a = act;
      if (a == "read" || a == "write" || a == "trim") out.push_back(ts);
    }
    return out;
  }

  // Data records (no syncs) must be exactly what the latency log says fio did, in order.
  void expect_matches_lat_log() {
    std::vector<TraceRecord> data;
    for (const TraceRecord& r : trace_.records) {
      if (r.op != TraceOp::kSync) data.push_back(r);
    }
    ASSERT_EQ(data.size(), lat_.size());
    for (size_t i = 0; i < data.size(); ++i) {
      int ddir = data[i].op == TraceOp::kRead ? 0 : data[i].op == TraceOp::kWrite ? 1 : 2;
      EXPECT_EQ(ddir, lat_[i].ddir) << "I/O " << i;
      EXPECT_EQ(data[i].length, lat_[i].bs) << "I/O " << i;
      EXPECT_EQ(data[i].offset, lat_[i].offset) << "I/O " << i;
    }
  }

  std::string dir_;
  Trace trace_;
  std::vector<LatSample> lat_;
};

TEST_F(FioJob, RandomWritesAreReadAsFioIssuedThem) {
  run("--filename=@/f --size=1M --bs=4k --rw=randwrite --number_ios=50");
  ASSERT_EQ(trace_.records.size(), 50u);
  EXPECT_EQ(trace_.files, std::vector<std::string>{dir_ + "/f"});
  EXPECT_EQ(trace_.timing, TraceTiming::kGaps);
  std::set<uint64_t> blocks;
  Time prev = 0;
  for (const TraceRecord& r : trace_.records) {
    EXPECT_EQ(r.op, TraceOp::kWrite);
    EXPECT_EQ(r.file, 0u);
    EXPECT_EQ(r.length, 4096u);
    EXPECT_EQ(r.offset % 4096, 0u);
    EXPECT_LT(r.offset, 1u << 20);
    EXPECT_GE(r.t_ns, prev);
    prev = r.t_ns;
    blocks.insert(r.offset);
  }
  EXPECT_EQ(blocks.size(), 50u) << "fio's random map never repeats a block";
  expect_matches_lat_log();

  // Replayed as fast as possible: the same I/Os in the same order, all at the start.
  ReplayOptions fast;
  fast.no_stall = true;
  TraceReplay replay(trace_, fast, 7 * kSecond);
  size_t n = 0;
  while (!replay.done()) {
    const ReplayIo& io = replay.next();
    EXPECT_EQ(io.index, n);
    EXPECT_EQ(io.offset, trace_.records[n].offset);
    EXPECT_EQ(io.length, 4096u);
    EXPECT_EQ(io.earliest, 7 * kSecond);
    replay.issued(7 * kSecond);
    ++n;
  }
  EXPECT_EQ(n, 50u);
}

TEST_F(FioJob, MixedReadWriteWithFsyncKeepsOrderAndSyncs) {
  run("--filename=@/f --size=1M --bs=4k --rw=randrw --rwmixread=50 --fsync=3 --number_ios=30");
  expect_matches_lat_log();
  // fsync=3 as fio 3.33 applies it: whenever the writes so far are a positive multiple of 3,
  // the next I/O is a sync, unless the previous one already was.
  int writes = 0, syncs = 0;
  bool prev_sync = false;
  for (size_t i = 0; i < trace_.records.size(); ++i) {
    const TraceRecord& r = trace_.records[i];
    bool sync_due = writes > 0 && writes % 3 == 0 && !prev_sync;
    EXPECT_EQ(r.op == TraceOp::kSync, sync_due)
        << "record " << i << " after " << writes << " writes";
    if (r.op == TraceOp::kWrite) ++writes;
    if (r.op == TraceOp::kSync) {
      ++syncs;
      EXPECT_EQ(r.length, 0u);
    }
    prev_sync = r.op == TraceOp::kSync;
  }
  EXPECT_EQ(trace_.records.size(), 30u + syncs);
  EXPECT_GE(syncs, writes / 3);
  EXPECT_GT(writes, 5);
  EXPECT_LT(writes, 25);
  // replay_skip=write,sync leaves exactly the reads, in order.
  ReplayOptions reads_only;
  reads_only.skip_write = reads_only.skip_sync = true;
  TraceReplay replay(trace_, reads_only, 0);
  EXPECT_EQ(replay.total(), 30u - writes);
  size_t last = 0;
  while (!replay.done()) {
    EXPECT_EQ(replay.next().op, TraceOp::kRead);
    EXPECT_GE(replay.next().index, last);
    last = replay.next().index;
    replay.issued(replay.next().earliest);
  }
  EXPECT_EQ(replay.issued_count(), 30u - writes);
}

TEST_F(FioJob, BlockSizeSplitGivesTheSplitSizesWithoutOverlap) {
  run("--filename=@/f --size=1M --bssplit=4k/50:16k/30:64k/20 --rw=randwrite --number_ios=40");
  ASSERT_EQ(trace_.records.size(), 40u);
  expect_matches_lat_log();
  std::set<uint32_t> sizes;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const TraceRecord& r : trace_.records) {
    EXPECT_EQ(r.length % 4096, 0u);
    EXPECT_LE(r.length, 65536u);
    EXPECT_EQ(r.offset % 4096, 0u);
    EXPECT_LE(r.offset + r.length, 1u << 20);
    sizes.insert(r.length);
    ranges.push_back({r.offset, r.offset + r.length});
  }
  EXPECT_TRUE(sizes.count(4096) && sizes.count(16384) && sizes.count(65536));
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    EXPECT_LE(ranges[i - 1].second, ranges[i].first) << "random map: no block written twice";
  }
}

TEST_F(FioJob, RateLimitedTimestampsAreHonouredAndScaled) {
  run("--filename=@/f --size=1M --bs=4k --rw=randread --rate_iops=1000 --number_ios=20");
  ASSERT_EQ(trace_.records.size(), 20u);
  uint64_t first_line = 0;
  std::vector<uint64_t> ts = raw_timestamps(&first_line);
  ASSERT_EQ(ts.size(), 20u);
  for (size_t i = 0; i < ts.size(); ++i) {
    EXPECT_EQ(trace_.records[i].t_ns, static_cast<Time>(ts[i] - first_line) * 1000) << i;
  }
  // rate_iops=1000: about a millisecond apart on average (fio catches up after a late I/O;
  // the upper bound is loose for a busy machine).
  double span_ms = (ts.back() - ts.front()) / 1000.0;
  EXPECT_GT(span_ms, 19 * 0.9);
  EXPECT_LT(span_ms, 19 * 10.0);  // only the lower bound is robust on a loaded CI machine

  const Time start = 5 * kSecond;
  std::vector<Time> real = ideal_issue_times(trace_, {}, start);
  ReplayOptions twice;
  twice.time_scale = 200;
  std::vector<Time> fast = ideal_issue_times(trace_, twice, start);
  ReplayOptions half;
  half.time_scale = 50;
  std::vector<Time> slow = ideal_issue_times(trace_, half, start);
  ASSERT_EQ(real.size(), 20u);
  for (size_t i = 0; i < 20; ++i) {
    Time from_first_line = static_cast<Time>(ts[i] - first_line) * 1000;
    EXPECT_EQ(real[i], start + from_first_line);
    EXPECT_EQ(fast[i], start + from_first_line / 2);
    EXPECT_EQ(slow[i], start + from_first_line * 2);
  }

  // A device that falls behind: the second I/O is issued 10 ms late; fio measures every later
  // gap from the actual issue, so the rest of the trace moves 10 ms later too.
  TraceReplay replay(trace_, {}, start);
  replay.issued(replay.next().earliest);
  replay.issued(replay.next().earliest + 10 * kMillisecond);
  for (size_t i = 2; i < 20; ++i) {
    EXPECT_EQ(replay.next().earliest, real[i] + 10 * kMillisecond);
    replay.issued(replay.next().earliest);
  }
  EXPECT_TRUE(replay.done());
}

TEST_F(FioJob, SeveralFilesGetIndexesAndRedirectMergesThem) {
  run("--directory=@ --nrfiles=2 --file_service_type=roundrobin --size=64k --bs=4k "
      "--rw=randread --number_ios=8");
  ASSERT_EQ(trace_.files.size(), 2u);
  EXPECT_EQ(trace_.files[0], dir_ + "/t.0.0");
  EXPECT_EQ(trace_.files[1], dir_ + "/t.0.1");
  ASSERT_EQ(trace_.records.size(), 8u);
  expect_matches_lat_log();
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(trace_.records[i].file, i % 2) << "round robin";
    EXPECT_LT(trace_.records[i].offset, 32u << 10);  // 64k over two files
  }
  ReplayOptions redirect;
  redirect.redirect = "/dev/md0";
  TraceReplay replay(trace_, redirect, 0);
  EXPECT_EQ(replay.files(), std::vector<std::string>{"/dev/md0"});
  for (size_t i = 0; !replay.done(); ++i) {
    EXPECT_EQ(replay.next().file, 0u);
    EXPECT_EQ(replay.next().offset, trace_.records[i].offset);
    replay.issued(replay.next().earliest);
  }
}

TEST_F(FioJob, FioReplaysTheLogOnTheScheduleWePredict) {
  // Gaps of 10 ms, so that fio oversleeping on a busy machine (about a millisecond per sleep
  // with a load average of 5 per core) stays within the bounds below.
  run("--filename=@/f --size=1M --bs=4k --rw=randread --rate_iops=100 --number_ios=10");
  ASSERT_EQ(trace_.records.size(), 10u);
  for (int scale : {200, 50}) {
    ReplayOptions o;
    o.time_scale = scale;
    std::vector<Time> plan = ideal_issue_times(trace_, o, 0);
    double predicted_ms = static_cast<double>(plan.back() - plan.front()) / kMillisecond;
    std::vector<LatSample> replayed;
    run_fio("--name=r --read_iolog=@/iolog --replay_time_scale=" + std::to_string(scale),
            "replay" + std::to_string(scale), &replayed);
    ASSERT_EQ(replayed.size(), 10u);
    for (size_t i = 0; i < 10; ++i) EXPECT_EQ(replayed[i].offset, trace_.records[i].offset);
    // fio's latency log has millisecond resolution, and fio oversleeps on a busy machine:
    // the bounds are loose but still far from the unscaled span (90 ms).
    double span = static_cast<double>(replayed.back().ms - replayed.front().ms);
    EXPECT_GE(span, 0.8 * predicted_ms - 3) << "replay_time_scale=" << scale;
    EXPECT_LE(span, 1.9 * predicted_ms + 3) << "replay_time_scale=" << scale;
  }
}

TEST_F(FioJob, FioTreatsVersion2WaitsAsMillisecondTimePoints) {
  std::filesystem::resize_file((std::ofstream(dir_ + "/f"), dir_ + "/f"), 64 << 10);
  std::string f = dir_ + "/f";
  std::string log = "fio version 2 iolog\n" + f + " add\n" + f + " open\n" + f + " read 0 4096\n" +
                    f + " wait 400 0\n" + f + " read 4096 4096\n" + f + " wait 500 0\n" + f +
                    " read 8192 4096\n" + f + " close\n";
  std::ofstream(dir_ + "/v2") << log;
  Trace t = parse_iolog(log, "v2");
  ASSERT_EQ(t.records.size(), 3u);
  Time predicted = t.records[2].t_ns - t.records[1].t_ns;
  EXPECT_EQ(predicted, 100 * kMillisecond);
  std::vector<LatSample> replayed;
  run_fio("--name=r --read_iolog=@/v2", "v2", &replayed);
  ASSERT_EQ(replayed.size(), 3u);
  // The HOWTO's reading (microseconds after the previous wait) would put them 0.1 ms apart;
  // loose bounds for a busy machine.
  EXPECT_GE(replayed[2].ms - replayed[1].ms, 70u);
  EXPECT_LE(replayed[2].ms - replayed[1].ms, 1000u);  // loaded CI machines oversleep
}

TEST_F(FioJob, WrittenLogReadsBackTheSame) {
  run("--filename=@/f --size=1M --bs=8k --rw=randrw --fsync=2 --number_ios=20");
  std::string path = dir_ + "/rewritten";
  write_iolog(path, trace_);
  Trace back = read_iolog(path);
  EXPECT_EQ(back.files, trace_.files);
  EXPECT_EQ(back.records, trace_.records);
  EXPECT_EQ(back.timing, TraceTiming::kGaps);
}

}  // namespace
}  // namespace mdsim
