// Typed fio jobs from job files: a table of job files, valid ones with the fields they must
// give and bad ones with the exact error (file:line). Where fio decides — defaults, whether a
// value is valid, how [global] sections apply — the expectations were checked with fio 3.33
// (`fio --parse-only`, `--showcmd`, `--cmdhelp`, and JSON "job options" of short null-engine
// runs); the notes say where mdsim is deliberately stricter.
#include "workloads/fio_job.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

namespace mdsim {
namespace {

FioEnv no_env() {
  return [](const std::string&) { return std::optional<std::string>(); };
}

std::vector<FioJob> jobs_of(const std::string& text) {
  return parse_fio_jobs(text, "t.fio", no_env()).jobs;
}

std::string error_of(const std::string& text) {
  try {
    parse_fio_jobs(text, "bad.fio", no_env());
  } catch (const FioJobError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FioJobs, Fio333Defaults) {
  // fio --cmdhelp: rw read, bs 4096, iodepth 1, rwmixread 50, randrepeat 1, randseed 0x89,
  // ioengine psync, numjobs 1, loops 1, runtime 0, replay_time_scale 100, kb_base 1024.
  FioJob j = jobs_of("[job1]\n")[0];
  EXPECT_EQ(j.name, "job1");
  EXPECT_EQ(j.rw, FioRw::kRead);
  EXPECT_EQ(j.min_bs, (std::array<uint64_t, 3>{4096, 4096, 4096}));
  EXPECT_EQ(j.max_bs, (std::array<uint64_t, 3>{4096, 4096, 4096}));
  EXPECT_EQ(j.iodepth, 1u);
  EXPECT_EQ(j.rwmixread, 50);
  EXPECT_FALSE(j.norandommap);
  EXPECT_TRUE(j.randrepeat);
  EXPECT_EQ(j.randseed, 0x89u);
  EXPECT_FALSE(j.randseed_set);
  EXPECT_EQ(j.ioengine, "psync");
  EXPECT_EQ(j.numjobs, 1u);
  EXPECT_EQ(j.loops, 1u);
  EXPECT_EQ(j.runtime, 0);
  EXPECT_FALSE(j.time_based);
  EXPECT_FALSE(j.direct);
  EXPECT_EQ(j.replay_time_scale, 100u);
  EXPECT_EQ(j.kb_base, 1024);
  EXPECT_EQ(j.random_distribution.kind, FioDistribution::kRandom);
  EXPECT_EQ(j.percentage_random, (std::array<int, 3>{100, 100, 100}));
  EXPECT_FALSE(j.size.set);
  EXPECT_TRUE(j.options.empty());
  EXPECT_EQ(j.where("bs"), "t.fio:1");
}

struct ValidCase {
  const char* what;
  const char* text;
  std::function<void(const std::vector<FioJob>&)> check;
};

const ValidCase kValid[] = {
    {"globals, engine and clones",
     "[global]\nioengine=libaio\ndirect=1\nbs=8k\n[seq]\nrw=write\nsize=1g\niodepth=32\n"
     "numjobs=4\noffset_increment=1g\n",
     [](const std::vector<FioJob>& js) {
       const FioJob& j = js[0];
       EXPECT_EQ(j.ioengine, "libaio");
       EXPECT_TRUE(j.direct);
       EXPECT_EQ(j.min_bs[1], 8192u);
       EXPECT_EQ(j.rw, FioRw::kWrite);
       EXPECT_EQ(j.size.bytes, 1073741824u);
       EXPECT_EQ(j.iodepth, 32u);
       EXPECT_EQ(j.effective_iodepth(), 32u);
       EXPECT_EQ(j.numjobs, 4u);
       EXPECT_EQ(j.offset_increment.bytes, 1073741824u);
       EXPECT_EQ(j.where("bs"), "t.fio:4");
       EXPECT_EQ(j.where("iodepth"), "t.fio:8");
     }},
    {"each [global] applies to the jobs after it (fio --showcmd)",
     "[global]\nbs=8k\n[a]\nrw=read\n[global]\nbs=16k\niodepth=4\n[b]\n[c]\nbs=1k\n",
     [](const std::vector<FioJob>& js) {
       ASSERT_EQ(js.size(), 3u);
       EXPECT_EQ(js[0].min_bs[0], 8192u);
       EXPECT_EQ(js[0].iodepth, 1u);
       EXPECT_EQ(js[1].min_bs[0], 16384u);
       EXPECT_EQ(js[1].iodepth, 4u);
       EXPECT_EQ(js[2].min_bs[0], 1024u);
       EXPECT_EQ(js[2].iodepth, 4u);
       EXPECT_EQ(js[2].effective_iodepth(), 1u);  // psync: one I/O in flight
     }},
    {"per-direction block sizes (HOWTO bs examples)",
     "[a]\nbs=8k,32k\n[b]\nbs=,8k\n[c]\nbs=8k,32k,\n[d]\nblocksize=1k,2k,3k\n",
     [](const std::vector<FioJob>& js) {
       EXPECT_EQ(js[0].min_bs, (std::array<uint64_t, 3>{8192, 32768, 32768}));
       EXPECT_EQ(js[1].min_bs, (std::array<uint64_t, 3>{4096, 8192, 8192}));
       EXPECT_EQ(js[2].min_bs, (std::array<uint64_t, 3>{8192, 32768, 4096}));
       EXPECT_EQ(js[3].max_bs, (std::array<uint64_t, 3>{1024, 2048, 3072}));
     }},
    {"bsrange and bssplit, most likely first, blanks sharing the rest",
     "[a]\nbsrange=1k-4k,2k:8k\n[b]\nbssplit=4k/10:64k/50:32k/40,4k/100\n"
     "[c]\nbssplit=4k/50:1k/:32k/\n",
     [](const std::vector<FioJob>& js) {
       EXPECT_EQ(js[0].min_bs, (std::array<uint64_t, 3>{1024, 2048, 2048}));
       EXPECT_EQ(js[0].max_bs, (std::array<uint64_t, 3>{4096, 8192, 8192}));
       EXPECT_EQ(js[1].bssplit[0],
                 (std::vector<FioBsSplitEntry>{{65536, 50}, {32768, 40}, {4096, 10}}));
       EXPECT_EQ(js[1].min_bs[0], 4096u);
       EXPECT_EQ(js[1].max_bs[0], 65536u);
       EXPECT_EQ(js[1].bssplit[1], (std::vector<FioBsSplitEntry>{{4096, 100}}));
       EXPECT_EQ(js[1].bssplit[2], js[1].bssplit[1]);
       EXPECT_EQ(js[2].bssplit[0],
                 (std::vector<FioBsSplitEntry>{{4096, 50}, {1024, 25}, {32768, 25}}));
     }},
    {"random distributions and their defaults",
     "[a]\nrandom_distribution=zipf:1.2\n[b]\nrandom_distribution=zipf\n"
     "[c]\nrandom_distribution=pareto:0.3:0.5\n[d]\nrandom_distribution=normal:5\n"
     "[e]\nrandom_distribution=zoned:60/10:30/20:8/30:2/40\n"
     "[f]\nrandom_distribution=zoned_abs:60/20G:30/100G:10/500g\n[g]\nrandom_distribution=pareto\n",
     [](const std::vector<FioJob>& js) {
       EXPECT_EQ(js[0].random_distribution.kind, FioDistribution::kZipf);
       EXPECT_DOUBLE_EQ(js[0].random_distribution.param, 1.2);
       EXPECT_DOUBLE_EQ(js[1].random_distribution.param, 1.1);
       EXPECT_DOUBLE_EQ(js[2].random_distribution.param, 0.3);
       EXPECT_DOUBLE_EQ(js[2].random_distribution.center, 0.5);
       EXPECT_EQ(js[3].random_distribution.kind, FioDistribution::kNormal);
       EXPECT_DOUBLE_EQ(js[3].random_distribution.center, -1);
       const auto& z = js[4].random_distribution.zones;
       EXPECT_EQ(z[0], (std::vector<FioZone>{{60, 10, 0}, {30, 20, 0}, {8, 30, 0}, {2, 40, 0}}));
       EXPECT_EQ(z[2], z[0]);
       const auto& za = js[5].random_distribution.zones[1];
       ASSERT_EQ(za.size(), 3u);
       EXPECT_EQ(za[1].size_bytes, 100ull << 30);
       EXPECT_DOUBLE_EQ(js[6].random_distribution.param, 0.2);
     }},
    {"CPU lists, masks, mixes, kb_base in order, times, rw postfixes",
     "[a]\ncpus_allowed=0-3,8,10-11\ncpus_allowed_policy=split\nrwmixread=10\nrwmixwrite=30\n"
     "bs=4k\nkb_base=1000\nsize=4k\n[b]\ncpumask=0x5\nruntime=10\ntime_based\nramp_time=2m\n"
     "thinktime=10\nstartdelay=5-1\nrw=randread:8\n[c]\nrw=write:4k\nthinktime=3ms\n",
     [](const std::vector<FioJob>& js) {
       EXPECT_EQ(js[0].cpus_allowed, (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
       EXPECT_EQ(js[0].cpus_allowed_policy, FioCpusPolicy::kSplit);
       EXPECT_EQ(js[0].rwmixread, 70);
       EXPECT_EQ(js[0].min_bs[0], 4096u);   // before kb_base=1000
       EXPECT_EQ(js[0].size.bytes, 4000u);  // after it
       EXPECT_EQ(js[1].cpus_allowed, (std::vector<int>{0, 2}));
       EXPECT_EQ(js[1].runtime, 10 * kSecond);
       EXPECT_TRUE(js[1].time_based);
       EXPECT_EQ(js[1].ramp_time, 120 * kSecond);
       EXPECT_EQ(js[1].thinktime, 10 * kMicrosecond);
       EXPECT_EQ(js[1].startdelay_min, 1 * kSecond);
       EXPECT_EQ(js[1].startdelay_max, 5 * kSecond);
       EXPECT_EQ(js[1].rw, FioRw::kRandRead);
       EXPECT_EQ(js[1].rw_seq_nr, 8u);
       EXPECT_EQ(js[2].rw_seq_add, 4096u);
       EXPECT_EQ(js[2].thinktime, 3 * kMillisecond);
     }},
    {"sizes as percentages, limits, replay options",
     "[a]\nsize=20%\noffset=10%\nio_size=3m\nnumber_ios=1k\nloops=0\nfilesize=1m-2m\n"
     "[b]\nread_iolog=trace.log\nreplay_no_stall=1\nreplay_time_scale=200\n"
     "replay_redirect=/dev/md0\nreplay_skip=read,sync\nreplay_align=4096\nwrite_iolog=out.log\n",
     [](const std::vector<FioJob>& js) {
       EXPECT_EQ(js[0].size.percent, 20);
       EXPECT_EQ(js[0].offset.percent, 10);
       EXPECT_EQ(js[0].io_size.bytes, 3u << 20);
       EXPECT_EQ(js[0].number_ios, 1024u);
       EXPECT_EQ(js[0].loops, 1u);  // fio runs loops=0 once
       EXPECT_EQ(js[0].filesize, (std::pair<uint64_t, uint64_t>{1 << 20, 2 << 20}));
       EXPECT_FALSE(js[0].replay());
       EXPECT_TRUE(js[1].replay());
       EXPECT_EQ(js[1].read_iolog, "trace.log");
       EXPECT_TRUE(js[1].replay_no_stall);
       EXPECT_EQ(js[1].replay_time_scale, 200u);
       EXPECT_EQ(js[1].replay_redirect, "/dev/md0");
       EXPECT_TRUE(js[1].replay_skip_read && js[1].replay_skip_sync);
       EXPECT_FALSE(js[1].replay_skip_write);
       EXPECT_EQ(js[1].replay_align, 4096u);
       EXPECT_EQ(js[1].write_iolog, "out.log");
     }},
    {"neutral unmodelled values, no-effect options, engine options of the engine",
     "[a]\nverify=0\nzonemode=none\nfsync=0\nthread\nwrite_lat_log=lat\nnuma_cpu_nodes=0\n"
     "ioengine=io_uring\nfixedbufs\nhipri=0\nbuffered=1\nname=renamed\n",
     [](const std::vector<FioJob>& js) {
       EXPECT_EQ(js[0].name, "renamed");
       EXPECT_FALSE(js[0].direct);
       EXPECT_EQ(js[0].ioengine, "io_uring");
     }},
    {"a [global]'s engine options are checked with its own engine (fio --parse-only passes)",
     "[global]\nioengine=libaio\nuserspace_reap\n[j]\nioengine=psync\n",
     [](const std::vector<FioJob>& js) { EXPECT_EQ(js[0].ioengine, "psync"); }},
    {"fio's job options: own section only, fio's names, bare flags left out",
     "[global]\nioengine=libaio\nsize=1m\n[a]\nreadwrite=randread\nblocksize=8k\nbs=16k\n"
     "time_based\nruntime=1\nnorandommap=1\n",
     [](const std::vector<FioJob>& js) {
       EXPECT_EQ(js[0].options, (FioOptionList{{"rw", "randread"},
                                               {"bs", "8k"},
                                               {"bs", "16k"},
                                               {"runtime", "1"},
                                               {"norandommap", "1"}}));
       EXPECT_EQ(js[0].where("rw"), "t.fio:5");
     }},
};

TEST(FioJobs, ValidJobFiles) {
  for (const ValidCase& c : kValid) {
    SCOPED_TRACE(c.what);
    std::vector<FioJob> js;
    ASSERT_NO_THROW(js = jobs_of(c.text)) << error_of(c.text);
    c.check(js);
  }
}

TEST(FioJobs, GlobalOptionsAreCollectedInOrder) {
  FioJobFile f = parse_fio_jobs("[global]\nbs=4k\n[a]\n[global]\niodepth=8\ntime_based=0\n[b]\n",
                                "t.fio", no_env());
  EXPECT_EQ(f.global_options, (FioOptionList{{"bs", "4k"}, {"iodepth", "8"}, {"time_based", "0"}}));
  EXPECT_TRUE(f.jobs[0].options.empty());
}

struct BadCase {
  const char* text;
  const char* error;
};

// fio 3.33's own verdict is in the comment where it differs from mdsim's.
const BadCase kBad[] = {
    {"[j]\nrw=write\nverify=md5\n",
     "bad.fio:3: option 'verify' is not modelled by mdsim: data verification needs data "
     "contents, which the simulator does not keep"},
    {"[j]\nrw=write\niodepht=4\n",  // fio: Bad option <iodepht=4> / Did you mean iodepth?
     "bad.fio:3: bad option <iodepht=4>: fio 3.33 has no option 'iodepht'; did you mean "
     "'iodepth'?"},
    {"[global]\nzzqqxxyy=1\n[j]\n",  // fio drops the global "job" too
     "bad.fio:2: bad option <zzqqxxyy=1>: fio 3.33 has no option 'zzqqxxyy'"},
    {"[j]\nbs=4q\n",  // fio reads 4q as 4 bytes
     "bad.fio:2: bad value for 'bs': \"4q\": unknown unit \"q\" (expected k, m, g, t, p with an "
     "optional i and b)"},
    {"[j]\nbs=0\n",  // fio: bs: min value out of range: 0 (1 min)
     "bad.fio:2: bad value for 'bs': \"0\": must be at least 1"},
    {"[j]\nrw=reed\n",
     "bad.fio:2: bad value for 'rw': \"reed\": expected one of: read write trim randread "
     "randwrite randtrim rw readwrite randrw trimwrite randtrimwrite"},
    {"[j]\nrwmixread=101\n",  // fio: rwmixread: max value out of range: 101 (100 max)
     "bad.fio:2: bad value for 'rwmixread': \"101\": must be between 0 and 100"},
    {"[j]\niodepth=0\n",
     "bad.fio:2: bad value for 'iodepth': \"0\": must be between 1 and 1048576"},
    {"[j]\nreplay_time_scale=0\n",
     "bad.fio:2: bad value for 'replay_time_scale': \"0\": must be between 1 and 4294967295"},
    {"[j]\ndirect\n", "bad.fio:2: option 'direct' requires a value"},
    {"[j]\nbs\n", "bad.fio:2: option 'bs' requires a value"},
    {"[j]\nhipri\n",  // fio: Bad option <hipri>
     "bad.fio:2: bad option <hipri>: 'hipri' is an option of ioengine io_uring|pvsync2, not of "
     "psync"},
    {"[global]\nuserspace_reap\n[j]\nioengine=libaio\n",  // fio checks [global] on its own
     "bad.fio:2: bad option <userspace_reap>: 'userspace_reap' is an option of ioengine libaio, "
     "not of psync"},
    {"[j]\nioengine=io_uring\nhipri\n",
     "bad.fio:3: option 'hipri' is not modelled by mdsim: polled completions (a CPU spinning on "
     "the queue) are not simulated"},
    {"[j]\nrwmixcycle=10\n", "bad.fio:2: option 'rwmixcycle' is deprecated: fio 3.33 refuses it"},
    {"[j]\nexitall\n",
     "bad.fio:2: option 'exitall' is not modelled by mdsim: stopping all jobs when one finishes "
     "is not simulated"},
    {"[j]\nrandom_distribution=zoned:60/10:30/20\n",
     "bad.fio:2: bad value for 'random_distribution': \"zoned:60/10:30/20\": access percentage "
     "don't add up to 100 for zoned random distribution (got=90)"},
    {"[j]\nrandom_distribution=pareto:1.5\n",
     "bad.fio:2: bad value for 'random_distribution': \"pareto:1.5\": pareto input out of range "
     "(0 < input < 1.0)"},
    {"[j]\nrandom_distribution=normal:100\n",
     "bad.fio:2: bad value for 'random_distribution': \"normal:100\": normal deviation out of "
     "range (0 <= input < 100.0)"},
    {"[j]\nrandom_distribution=zipf:1\n",
     "bad.fio:2: bad value for 'random_distribution': \"zipf:1\": zipf theta must be different "
     "than 1.0 (and not negative)"},
    {"[j]\nrandom_distribution=zipf:1.2:2\n",
     "bad.fio:2: bad value for 'random_distribution': \"zipf:1.2:2\": distribution center out "
     "of range (0 <= center <= 1.0)"},
    {"[j]\nrandom_distribution=gauss:5\n",
     "bad.fio:2: bad value for 'random_distribution': \"gauss:5\": fio 3.33 calls it \"normal\"; "
     "expected one of: random zipf pareto normal zoned zoned_abs"},
    {"[j]\nbssplit=4k/60:8k/50:16k/:32k/\n",
     "bad.fio:2: bad value for 'bssplit': \"4k/60:8k/50:16k/:32k/\": bssplit percentages add to "
     "more than 100%"},
    {"[j]\nioengine=null\n",
     "bad.fio:2: option 'ioengine=null' is not modelled by mdsim: the simulated engines are "
     "sync, psync, vsync, pvsync, pvsync2, libaio, io_uring and posixaio"},
    {"[j]\nioengine=foo\n",  // fio --parse-only passes; the run fails to load the engine
     "bad.fio:2: bad value for 'ioengine': \"foo\": fio 3.33 has no such ioengine"},
    {"[j]\nfilename=/dev/md0:/dev/md1\n",
     "bad.fio:2: option 'filename=/dev/md0:/dev/md1' is not modelled by mdsim: I/O to several "
     "files is not simulated (every job does I/O to the simulated array)"},
    {"[j]\ncpus_allowed=3-1\n",  // fio silently allows no CPU
     "bad.fio:2: bad value for 'cpus_allowed': \"3-1\": range 3-1 runs backwards"},
    {"[j]\nruntime=10x\n",  // fio reads 10x as 16 us
     "bad.fio:2: bad value for 'runtime': \"10x\": unknown time unit \"x\" (expected d, h, m, s, "
     "ms or us)"},
    {"[j]\ntime_based\n",  // fio warns and ignores time_based
     "bad.fio:2: time_based needs a runtime (fio 3.33 warns and ignores it)"},
    {"[j]\ninclude=other.fio\n",
     "bad.fio:2: include takes its file after a space (include FILE), not '='"},
    {"[j]\nstats=2\n", "bad.fio:2: bad value for 'stats': \"2\": expected 0 or 1"},
    {"bs=4k\n[j]\n", "bad.fio:1: option <bs=4k> outside of [] job section"},
    {"[j\nbs=4k\n", "bad.fio:1: section header without ']': [j"},
    {"[global]\nbs=4k\n", "bad.fio: no jobs defined (only [global] sections)"},
};

TEST(FioJobs, BadJobFilesNameFileAndLine) {
  for (const BadCase& c : kBad) EXPECT_EQ(error_of(c.text), c.error) << c.text;
}

TEST(FioJobs, IncludedFilesNameTheirOwnLines) {
  auto dir = std::filesystem::temp_directory_path() / "mdsim_fio_job_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "main.fio") << "[global]\ninclude common.fio\n[j]\nrw=randwrite\n";
  std::ofstream(dir / "common.fio") << "bs=64k\niodepth=16\n";
  std::ofstream(dir / "bad.fio") << "[j]\ninclude badcommon.fio\n";
  std::ofstream(dir / "badcommon.fio") << "bs=64k\nverify=crc32c\n";
  std::vector<FioJob> js = load_fio_jobs((dir / "main.fio").string(), no_env());
  ASSERT_EQ(js.size(), 1u);
  EXPECT_EQ(js[0].min_bs[1], 65536u);
  EXPECT_EQ(js[0].iodepth, 16u);
  EXPECT_EQ(js[0].where("iodepth"), (dir / "common.fio").string() + ":2");
  try {
    load_fio_jobs((dir / "bad.fio").string(), no_env());
    ADD_FAILURE() << "verify=crc32c accepted";
  } catch (const FioJobError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir / "badcommon.fio").string() +
                  ":2: option 'verify' is not modelled by mdsim: data verification needs data "
                  "contents, which the simulator does not keep");
  }
  std::filesystem::remove_all(dir);
}

TEST(FioJobs, LaterErrorsStillNameTheOptionsLine) {
  FioJob j = jobs_of("[global]\nsize=1g\n[a]\noffset=2g\n")[0];
  try {
    j.fail("offset", "beyond the array");
    ADD_FAILURE();
  } catch (const FioJobError& e) {
    EXPECT_STREQ(e.what(), "t.fio:4: beyond the array");
  }
  EXPECT_EQ(j.where("size"), "t.fio:2");
  EXPECT_EQ(j.where("never_set"), "t.fio:3");
}

}  // namespace
}  // namespace mdsim
