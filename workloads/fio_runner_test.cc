// The fio job runner on small arrays of fixed-latency null disks: I/O counts and bytes,
// iodepth (Little's law), clones and group reporting, rate, time_based, ramp_time,
// cpus_allowed, stonewall, iolog replay, bw/iops samples, determinism.
#include "workloads/fio_runner.h"

#include <gtest/gtest.h>

#include <fstream>

#include "raid/md_testing.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

constexpr Time kDiskLatency = 100 * kMicrosecond;

FioEnv no_env() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

struct Rig {
  Simulator sim;
  Machine m{sim, testing::profile(1, 4)};
  std::unique_ptr<Mddev> md;
  FioRunnerOptions opt;

  explicit Rig(const char* bitmap = "none") {
    ArrayConfig c;
    c.level = "raid1";
    c.raid_disks = 2;
    c.bitmap = bitmap;
    md = testing::make_array(m, c, testing::null_member(kDiskLatency));
  }
  FioRunResult run(const std::string& text, uint64_t seed = 7) {
    return run_fio_jobs(*md, parse_fio_jobs(text, "t.fio", no_env()), RandomStreams(seed), opt);
  }
  Time fio_cpu(int cpu, const char* kind) { return m.cpu(cpu).time_in(m.kind(kind)); }
  uint64_t member_writes(int i) { return md->member(i).disk->stats().op(DiskOp::kWrite).ios; }
};

const FioDirStats& rd(const FioJobResult& j) { return j.dir(FioDdir::kRead); }
const FioDirStats& wr(const FioJobResult& j) { return j.dir(FioDdir::kWrite); }

TEST(FioRunner, NumberIosIssuesExactlyThatManyWithTheirBytes) {
  Rig r;
  FioRunResult res = r.run(
      "[j]\nrw=randwrite\nbs=8k\nnumber_ios=100\nioengine=io_uring\n"
      "iodepth=2\n");
  ASSERT_EQ(res.jobs.size(), 1u);
  const FioJobResult& j = res.jobs[0];
  EXPECT_EQ(j.name, "j");
  EXPECT_EQ(wr(j).total_ios, 100u);
  EXPECT_EQ(wr(j).io_bytes, 100u * 8192);
  EXPECT_EQ(rd(j).total_ios, 0u);
  EXPECT_EQ(wr(j).clat.count(), 100u);
  EXPECT_EQ(r.md->stats().writes, 100u);
  EXPECT_EQ(r.member_writes(0), 100u);  // raid1: every write to both members
  EXPECT_EQ(r.member_writes(1), 100u);
  EXPECT_EQ(j.total_submit, 100u);
  EXPECT_EQ(j.error, 0);
  // Two lanes: every I/O was issued at depth 1 or 2.
  EXPECT_EQ(j.io_u_map[0] + j.io_u_map[1], 100u);
  EXPECT_GT(j.io_u_map[1], 0u);
  EXPECT_EQ(wr(j).runtime, j.job_runtime);
  EXPECT_EQ(rd(j).runtime, 0);
}

TEST(FioRunner, IodepthFourGivesAboutFourTimesTheIops) {
  const std::string base = "[j]\nrw=randread\nioengine=io_uring\nruntime=100ms\ntime_based\n";
  Rig a, b;
  const uint64_t qd1 = rd(a.run(base + "iodepth=1\n").jobs[0]).total_ios;
  const uint64_t qd4 = rd(b.run(base + "iodepth=4\n").jobs[0]).total_ios;
  // Little's law: one I/O in flight per lane, each taking the disk latency plus a few us of
  // fio and md CPU work.
  EXPECT_LE(qd1, 1000u);  // 100 ms / 100 us
  EXPECT_GE(qd1, 850u);
  const double ratio = static_cast<double>(qd4) / static_cast<double>(qd1);
  EXPECT_GT(ratio, 3.7);
  EXPECT_LE(ratio, 4.05);
}

TEST(FioRunner, PsyncKeepsOneIoInFlightWhateverTheIodepth) {
  Rig r;
  FioJobResult j = r.run("[j]\nrw=read\nioengine=psync\niodepth=8\nnumber_ios=50\n").jobs[0];
  EXPECT_EQ(j.io_u_map[0], 50u);
  EXPECT_EQ(rd(j).slat.count(), 0u);  // synchronous engine: no slat
}

TEST(FioRunner, NumjobsClonesAreMergedByGroupReporting) {
  Rig r;
  FioRunResult res = r.run("[j]\nrw=randwrite\nnumber_ios=50\nnumjobs=3\ngroup_reporting\n");
  ASSERT_EQ(res.jobs.size(), 3u);
  for (const FioJobResult& j : res.jobs) {
    EXPECT_EQ(j.name, "j");
    EXPECT_EQ(wr(j).total_ios, 50u);
  }
  std::vector<FioJobResult> rep = fio_reported_jobs(res.jobs);
  ASSERT_EQ(rep.size(), 1u);
  EXPECT_EQ(rep[0].members, 3);
  EXPECT_EQ(wr(rep[0]).total_ios, 150u);
  EXPECT_EQ(r.md->stats().writes, 150u);
  // Spread over cores 0, 1, 2: each charged exactly 50 submissions.
  for (int c = 0; c < 3; ++c) EXPECT_EQ(r.fio_cpu(c, "fio_submit"), 50 * r.opt.submit_ns);
  EXPECT_EQ(r.fio_cpu(3, "fio_submit"), 0);
}

TEST(FioRunner, RateIopsPacesIssues) {
  Rig r;
  FioJobResult j = r.run("[j]\nrw=randread\nrate_iops=1000\nruntime=100ms\ntime_based\n").jobs[0];
  EXPECT_GE(rd(j).total_ios, 99u);
  EXPECT_LE(rd(j).total_ios, 101u);
  EXPECT_GE(j.job_runtime, 99 * kMillisecond);
  EXPECT_LE(j.job_runtime, 101 * kMillisecond);
}

TEST(FioRunner, TimeBasedRunsForTheRuntimeAndSizeBoundJobsStopEarly) {
  Rig a;
  FioJobResult tb = a.run("[j]\nrw=read\nsize=64k\nruntime=50ms\ntime_based\n").jobs[0];
  EXPECT_GE(tb.job_runtime, 50 * kMillisecond);
  EXPECT_LT(tb.job_runtime, 51 * kMillisecond);
  EXPECT_GT(rd(tb).total_ios, 400u);  // ~50 ms / ~105 us, wrapping over the 64k region
  Rig b;
  FioJobResult sb = b.run("[j]\nrw=read\nsize=64k\nruntime=50ms\n").jobs[0];
  EXPECT_EQ(rd(sb).total_ios, 16u);
  EXPECT_LT(sb.job_runtime, 16 * 120 * kMicrosecond);
}

TEST(FioRunner, RampTimeIsExcluded) {
  Rig r;
  FioJobResult j = r.run(
                        "[j]\nrw=randwrite\nrate_iops=1000\nramp_time=50ms\nruntime=100ms\n"
                        "time_based\n")
                       .jobs[0];
  EXPECT_GE(wr(j).total_ios, 99u);
  EXPECT_LE(wr(j).total_ios, 101u);
  EXPECT_GE(r.member_writes(0), 149u);  // the ramp's I/O happened, uncounted
  EXPECT_LE(r.member_writes(0), 151u);
  EXPECT_GE(j.job_runtime, 99 * kMillisecond);
  EXPECT_LE(j.job_runtime, 101 * kMillisecond);
}

TEST(FioRunner, BwAndIopsSamplesEveryHalfSecond) {
  Rig r;
  FioJobResult j =
      r.run("[j]\nrw=randread\nbs=4k\nrate_iops=1000\nruntime=1200ms\ntime_based\n").jobs[0];
  // Two full windows (0-500, 500-1000 ms); the 200 ms tail is not sampled.
  EXPECT_EQ(rd(j).iops.samples, 2u);
  EXPECT_NEAR(rd(j).iops.mean, 1000.0, 4.0);
  EXPECT_EQ(rd(j).bw.samples, 2u);
  EXPECT_NEAR(rd(j).bw.mean, 4000.0, 16.0);  // KiB/s
}

TEST(FioRunner, CpusAllowedPinsClones) {
  Rig r;
  FioRunResult res = r.run(
      "[a]\nrw=randread\nnumber_ios=30\nnumjobs=2\ncpus_allowed=2-3\n"
      "cpus_allowed_policy=split\n"
      "[b]\nrw=randread\nnumber_ios=20\nnumjobs=2\ncpus_allowed=1\n");
  ASSERT_EQ(res.jobs.size(), 4u);
  EXPECT_EQ(r.fio_cpu(0, "fio_submit"), 0);
  EXPECT_EQ(r.fio_cpu(1, "fio_submit"), 40 * r.opt.submit_ns);
  EXPECT_EQ(r.fio_cpu(1, "fio_complete"), 40 * r.opt.complete_ns);
  EXPECT_EQ(r.fio_cpu(2, "fio_submit"), 30 * r.opt.submit_ns);
  EXPECT_EQ(r.fio_cpu(3, "fio_submit"), 30 * r.opt.submit_ns);
  EXPECT_EQ(res.jobs[0].sys_time, 30 * r.opt.submit_ns);
}

TEST(FioRunner, CpusAllowedBeyondTheMachineIsAnError) {
  Rig r;
  try {
    r.run("[a]\nrw=read\nnumber_ios=1\ncpus_allowed=7\n");
    FAIL() << "expected FioJobError";
  } catch (const FioJobError& e) {
    EXPECT_NE(std::string(e.what()).find("t.fio:4"), std::string::npos) << e.what();
  }
}

TEST(FioRunner, StonewallStartsAGroupAfterTheEarlierJobsEnd) {
  const std::string a = "[a]\nrw=randread\nnumber_ios=20\n";
  Rig s;
  FioRunResult rs = s.run(a + "[b]\nstonewall\nrw=randread\nnumber_ios=20\n");
  const Time serial = s.sim.now();
  Rig g;
  FioRunResult rg = g.run(a + "[b]\nnew_group\nrw=randread\nnumber_ios=20\n");
  const Time parallel = g.sim.now();
  EXPECT_EQ(rs.jobs[1].groupid, 1);
  EXPECT_EQ(rg.jobs[1].groupid, 1);
  EXPECT_EQ(rs.jobs[0].groupid, 0);
  // 20 I/Os of ~105 us each: one after the other for stonewall, side by side for new_group.
  EXPECT_GE(serial, 40 * kDiskLatency);
  EXPECT_LT(parallel, 21 * 120 * kMicrosecond);
  EXPECT_GE(parallel, 20 * kDiskLatency);
}

TEST(FioRunner, IologReplayIssuesTheLoggedIosAtTheirTimes) {
  const std::string path = ::testing::TempDir() + "fio_runner_test.log";
  {
    std::ofstream f(path);
    f << "fio version 3 iolog\n0 /dev/md0 add\n0 /dev/md0 open\n"
         "1000 /dev/md0 write 0 4096\n3000 /dev/md0 write 8192 8192\n"
         "3500 /dev/md0 read 4096 4096\n7000 /dev/md0 trim 65536 4096\n"
         "7000 /dev/md0 close\n";
  }
  Rig r;
  FioJobResult j = r.run("[j]\nread_iolog=" + path + "\nioengine=io_uring\niodepth=4\n").jobs[0];
  EXPECT_EQ(wr(j).total_ios, 2u);
  EXPECT_EQ(wr(j).io_bytes, 12288u);
  EXPECT_EQ(rd(j).total_ios, 1u);
  EXPECT_EQ(j.dir(FioDdir::kTrim).total_ios, 1u);
  EXPECT_EQ(r.member_writes(0), 2u);
  // Gaps exceed the latency: nothing queues, and the last (trim, issued at 7 ms) ends a
  // disk latency and some CPU work later.
  EXPECT_LT(wr(j).lat.max(), 120 * kMicrosecond);
  EXPECT_GE(r.sim.now(), 7 * kMillisecond + kDiskLatency);
  EXPECT_LT(r.sim.now(), 7 * kMillisecond + 120 * kMicrosecond);
}

TEST(FioRunner, Deterministic) {
  const std::string job =
      "[j]\nrw=randrw\nbsrange=4k-64k\niodepth=3\nioengine=libaio\n"
      "number_ios=300\nthinktime=20us\nnumjobs=2\n";
  Rig a, b;
  FioRunResult x = a.run(job, 11), y = b.run(job, 11);
  ASSERT_EQ(x.jobs.size(), y.jobs.size());
  EXPECT_EQ(a.sim.now(), b.sim.now());
  for (size_t i = 0; i < x.jobs.size(); ++i) {
    for (size_t d = 0; d < 2; ++d) {
      EXPECT_EQ(x.jobs[i].dirs[d].io_bytes, y.jobs[i].dirs[d].io_bytes);
      EXPECT_EQ(x.jobs[i].dirs[d].clat.mean(), y.jobs[i].dirs[d].clat.mean());
    }
    EXPECT_EQ(x.jobs[i].dirs[0].total_ios + x.jobs[i].dirs[1].total_ios, 300u);
  }
}

TEST(FioRunner, RateInBytesPacesIssues) {
  Rig r;
  // 4 MiB/s of 64 KiB writes: one every 15.625 ms, so 7 in 100 ms (0, 15.6, ..., 93.75 ms).
  FioJobResult j = r.run("[j]\nrw=write\nbs=64k\nrate=4m\nruntime=100ms\ntime_based\n").jobs[0];
  EXPECT_EQ(wr(j).total_ios, 7u);
}

TEST(FioRunner, ThinktimeAndStartdelayAddIdleTime) {
  Rig r;
  FioJobResult j = r.run("[j]\nrw=read\nnumber_ios=10\nthinktime=1ms\nstartdelay=5ms\n").jobs[0];
  EXPECT_EQ(rd(j).total_ios, 10u);
  // Ten I/Os of ~104 us, each followed by 1 ms of thinking; the start delay is not runtime.
  EXPECT_GE(j.job_runtime, 10 * (kMillisecond + kDiskLatency));
  EXPECT_LT(j.job_runtime, 10 * (kMillisecond + 110 * kMicrosecond));
  EXPECT_GE(r.sim.now(), 5 * kMillisecond + j.job_runtime);
}

TEST(FioRunner, EndsOnAnArrayWithABitmapDaemon) {
  Rig r("bitmap");
  FioJobResult j = r.run("[j]\nrw=randwrite\nnumber_ios=20\n").jobs[0];
  EXPECT_EQ(wr(j).total_ios, 20u);
  // The run ends (the daemon stops at its next wake-up, 5 s in); the jobs took milliseconds.
  EXPECT_LE(r.sim.now(), 5 * kSecond);
  EXPECT_EQ(j.elapsed, 1u);
}

}  // namespace
}  // namespace mdsim
