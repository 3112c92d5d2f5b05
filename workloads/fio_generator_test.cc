// The I/O streams of fio jobs: sequential order and wrap, the random map (every block once per
// pass), mixes and block-size splits in proportion, fio's bsrange formula, zipf/pareto/zoned
// skew over blocks, clone regions, limits, and the errors that name the option's line.
#include "workloads/fio_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace mdsim {
namespace {

constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;

FioJob job_of(const std::string& options) {
  FioEnv none = [](const std::string&) { return std::optional<std::string>(); };
  return parse_fio_jobs("[j]\n" + options, "g.fio", none).jobs.at(0);
}

FioGenerator gen(const std::string& options, uint64_t target = 64 * kMiB, uint32_t index = 0,
                 uint64_t seed = 1) {
  return FioGenerator(job_of(options), target, index, Rng(seed));
}

std::vector<FioIo> drain(FioGenerator& g, size_t max = 10000000) {
  std::vector<FioIo> out;
  while (out.size() < max) {
    std::optional<FioIo> io = g.next();
    if (!io) break;
    out.push_back(*io);
  }
  return out;
}

TEST(FioGenerator, SequentialWritesInOrderFromTheOffsetAndStopAtSize) {
  FioGenerator g = gen("rw=write\nbs=4k\nsize=64k\noffset=1m\n");
  std::vector<FioIo> ios = drain(g);
  ASSERT_EQ(ios.size(), 16u);
  for (size_t i = 0; i < ios.size(); ++i) {
    EXPECT_EQ(ios[i], (FioIo{FioOp::kWrite, kMiB + i * 4 * kKiB, 4 * kKiB})) << i;
  }
  EXPECT_TRUE(g.done());
  EXPECT_FALSE(g.next());
}

TEST(FioGenerator, SequentialWrapsForIoSizeLoopsAndHoles) {
  FioGenerator a = gen("rw=read\nbs=16k\nsize=64k\nio_size=160k\n");
  std::vector<FioIo> ios = drain(a);
  ASSERT_EQ(ios.size(), 10u);
  EXPECT_EQ(ios[4].offset, 0u);
  EXPECT_EQ(ios[9].offset, 16 * kKiB);
  FioGenerator b = gen("rw=read\nbs=16k\nsize=64k\nloops=3\n");
  EXPECT_EQ(drain(b).size(), 12u);
  FioGenerator c = gen("rw=write:16k\nbs=16k\nsize=128k\nnumber_ios=6\n");
  std::vector<FioIo> holes = drain(c);
  ASSERT_EQ(holes.size(), 6u);
  EXPECT_EQ(holes[1].offset, 32 * kKiB);  // 16k written, 16k skipped
  EXPECT_EQ(holes[3].offset, 96 * kKiB);
  EXPECT_EQ(holes[4].offset, 0u);  // past the end: back to the start
}

TEST(FioGenerator, RandomMapVisitsEveryBlockExactlyOncePerPass) {
  const uint64_t blocks = 4096;
  FioGenerator g = gen("rw=randwrite\nbs=4k\nsize=16m\ntime_based\nruntime=1\n");
  ASSERT_TRUE(g.uses_random_map());
  for (int pass = 0; pass < 3; ++pass) {
    std::vector<int> seen(blocks);
    for (uint64_t i = 0; i < blocks; ++i) {
      FioIo io = *g.next();
      ASSERT_EQ(io.length, 4 * kKiB);
      ASSERT_EQ(io.offset % (4 * kKiB), 0u);
      ++seen[io.offset / (4 * kKiB)];
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<long>(blocks)) << pass;
  }
  // Without the map, 4096 draws over 4096 blocks repeat some (and miss about 1/e of them).
  FioGenerator n = gen("rw=randwrite\nbs=4k\nsize=16m\nnorandommap\n");
  EXPECT_FALSE(n.uses_random_map());
  std::vector<FioIo> ios = drain(n);
  ASSERT_EQ(ios.size(), blocks);
  std::vector<int> seen(blocks);
  for (const FioIo& io : ios) ++seen[io.offset / (4 * kKiB)];
  double missed = std::count(seen.begin(), seen.end(), 0) / static_cast<double>(blocks);
  EXPECT_NEAR(missed, std::exp(-1.0), 0.03);
}

TEST(FioGenerator, RandomMapTilesTheRegionWithMixedSizes) {
  FioGenerator g = gen("rw=randwrite\nbsrange=4k-64k\nsize=8m\n");
  std::vector<FioIo> ios = drain(g);
  std::vector<int> cover(8 * kMiB / (4 * kKiB));
  uint64_t total = 0;
  for (const FioIo& io : ios) {
    total += io.length;
    for (uint64_t o = io.offset; o < io.offset + io.length; o += 4 * kKiB) ++cover[o / (4 * kKiB)];
  }
  EXPECT_EQ(total, 8 * kMiB);
  EXPECT_EQ(std::count(cover.begin(), cover.end(), 1), static_cast<long>(cover.size()));
}

TEST(FioGenerator, RwmixAndBssplitProportions) {
  FioGenerator g =
      gen("rw=randrw\nrwmixread=70\nbssplit=4k/50:64k/40:1m/10\nnorandommap\n"
          "size=1g\nnumber_ios=40000\ntime_based\nruntime=1\n",
          2 * kGiB);
  std::vector<FioIo> ios = drain(g);
  ASSERT_EQ(ios.size(), 40000u);
  std::map<uint64_t, int> sizes;
  int reads = 0;
  for (const FioIo& io : ios) {
    reads += io.op == FioOp::kRead;
    ++sizes[io.length];
    ASSERT_LE(io.offset + io.length, kGiB);
  }
  // Binomial sd: sqrt(p(1-p)/n) <= 0.0025; tolerance 0.015.
  EXPECT_NEAR(reads / 40000.0, 0.70, 0.015);
  EXPECT_NEAR(sizes[4 * kKiB] / 40000.0, 0.50, 0.015);
  EXPECT_NEAR(sizes[64 * kKiB] / 40000.0, 0.40, 0.015);
  EXPECT_NEAR(sizes[kMiB] / 40000.0, 0.10, 0.015);
  EXPECT_EQ(sizes.size(), 3u);
}

TEST(FioGenerator, BsrangeFollowsFiosFormulaNotAUniformChoice) {
  // fio: len = min + max * U, aligned down to a multiple of min, capped at max. For 2k-5k:
  // [2k,4k) -> 2k (2/5), [4k,6k) -> 4k (2/5), [6k,7k) -> capped to 5k (1/5).
  FioGenerator g = gen(
      "rw=randread\nbsrange=2k-5k\nnorandommap\nnumber_ios=50000\ntime_based\nruntime=1\n", kGiB);
  std::map<uint64_t, int> sizes;
  for (const FioIo& io : drain(g)) ++sizes[io.length];
  EXPECT_EQ(sizes.size(), 3u);
  EXPECT_NEAR(sizes[2 * kKiB] / 50000.0, 0.4, 0.015);
  EXPECT_NEAR(sizes[4 * kKiB] / 50000.0, 0.4, 0.015);
  EXPECT_NEAR(sizes[5 * kKiB] / 50000.0, 0.2, 0.015);
}

// Per-block hit counts of `draws` random reads over a region of `blocks` 4k blocks.
std::vector<uint64_t> block_hits(const std::string& dist, uint64_t blocks, uint64_t draws) {
  FioGenerator g = gen("rw=randread\nbs=4k\nrandom_distribution=" + dist +
                           "\nsize=" + std::to_string(blocks * 4) +
                           "k\ntime_based\nruntime=1\nnumber_ios=" + std::to_string(draws),
                       kGiB);
  std::vector<uint64_t> hits(blocks);
  for (const FioIo& io : drain(g)) ++hits.at(io.offset / (4 * kKiB));
  std::sort(hits.rbegin(), hits.rend());
  return hits;
}

TEST(FioGenerator, ZipfHottestBlocksMatchTheAnalyticShares) {
  const uint64_t n = 1000, draws = 200000;
  for (double theta : {1.2, 0.8}) {
    SCOPED_TRACE(theta);
    double h = 0;
    for (uint64_t k = 1; k <= n; ++k) h += std::pow(static_cast<double>(k), -theta);
    std::vector<uint64_t> hits = block_hits("zipf:" + std::to_string(theta), n, draws);
    double p1 = 1 / h, p2 = std::pow(2.0, -theta) / h;
    EXPECT_NEAR(hits[0] / static_cast<double>(draws), p1, 5 * std::sqrt(p1 / draws));
    EXPECT_NEAR(hits[1] / static_cast<double>(draws), p2, 5 * std::sqrt(p2 / draws));
  }
}

TEST(FioGenerator, ParetoAndZonedSkew) {
  const uint64_t n = 1000, draws = 100000;
  std::vector<uint64_t> hits = block_hits("pareto:0.2", n, draws);
  uint64_t top = 0;
  for (int i = 0; i < 200; ++i) top += hits[i];
  EXPECT_NEAR(top / static_cast<double>(draws),
              std::pow(200.0 / 999.0, std::log(0.8) / std::log(0.2)), 0.01);
  // zoned:60/10:30/20:8/30:2/40 — by position, not popularity.
  FioGenerator g =
      gen("rw=randread\nbs=4k\nsize=4000k\nnorandommap\nnumber_ios=100000\ntime_based\nruntime=1\n"
          "random_distribution=zoned:60/10:30/20:8/30:2/40\n");
  double in[4] = {0, 0, 0, 0};
  for (const FioIo& io : drain(g)) {
    uint64_t b = io.offset / (4 * kKiB);
    in[b < 100 ? 0 : b < 300 ? 1 : b < 600 ? 2 : 3] += 1.0 / 100000;
  }
  EXPECT_NEAR(in[0], 0.60, 0.01);
  EXPECT_NEAR(in[1], 0.30, 0.01);
  EXPECT_NEAR(in[2], 0.08, 0.01);
  EXPECT_NEAR(in[3], 0.02, 0.01);
}

TEST(FioGenerator, ClonesWorkInTheirOffsetIncrementRegions) {
  const std::string job = "rw=randwrite\nbs=4k\nsize=1m\nnumjobs=4\noffset_increment=2m\n";
  for (uint32_t i = 0; i < 4; ++i) {
    FioGenerator g = gen(job, 8 * kMiB, i);
    EXPECT_EQ(g.region_start(), i * 2 * kMiB);
    EXPECT_EQ(g.region_end(), i * 2 * kMiB + kMiB);
    for (const FioIo& io : drain(g)) {
      ASSERT_GE(io.offset, i * 2 * kMiB);
      ASSERT_LE(io.offset + io.length, i * 2 * kMiB + kMiB);
    }
  }
  try {
    gen(job, 5 * kMiB, 3);
    ADD_FAILURE() << "clone 3 starts at 6m on a 5m array";
  } catch (const FioJobError& e) {
    EXPECT_STREQ(e.what(),
                 "g.fio:6: clone 3 of job 'j' starts at 6291456 bytes, beyond the end "
                 "of the simulated array (5242880 bytes)");
  }
  // Percentages are of the target, aligned up to the block size.
  FioGenerator p = gen("rw=read\nbs=64k\noffset=10%\nsize=10%\n", 1000 * kKiB);
  EXPECT_EQ(p.region_start(), 128 * kKiB);
  EXPECT_EQ(p.region_end(), 228 * kKiB);
}

TEST(FioGenerator, MixedSequentialKeepsAPositionPerDirection) {
  FioGenerator g = gen("rw=rw\nbs=4k,16k\nsize=1m\nnumber_ios=400\ntime_based\nruntime=1\n");
  uint64_t next[2] = {0, 0};
  int count[2] = {0, 0};
  for (const FioIo& io : drain(g)) {
    int d = static_cast<int>(io.op);
    ASSERT_LT(d, 2);
    EXPECT_EQ(io.offset, next[d] % kMiB);  // wrapping at the region end
    EXPECT_EQ(io.length, d == 0 ? 4 * kKiB : 16 * kKiB);
    next[d] = io.offset + io.length;
    ++count[d];
  }
  EXPECT_GT(count[0], 150);
  EXPECT_GT(count[1], 150);
  // Different block sizes per direction, or an explicit blockalign: no random map, offsets on
  // the direction's alignment.
  FioGenerator r = gen("rw=randrw\nbs=4k,64k\nsize=16m\nnumber_ios=2000\n");
  EXPECT_FALSE(r.uses_random_map());
  for (const FioIo& io : drain(r)) {
    EXPECT_EQ(io.offset % io.length, 0u);
    EXPECT_LE(io.offset + io.length, 16 * kMiB);
  }
  FioGenerator a = gen("rw=randread\nbs=4k\nba=8k\nsize=16m\nnumber_ios=2000\n");
  EXPECT_FALSE(a.uses_random_map());
  for (const FioIo& io : drain(a)) EXPECT_EQ(io.offset % (8 * kKiB), 0u);
}

TEST(FioGenerator, TrimwriteWritesWhatItJustTrimmed) {
  FioGenerator g = gen("rw=trimwrite\nbs=8k\nsize=64k\n");
  std::vector<FioIo> ios = drain(g);
  ASSERT_EQ(ios.size(), 16u);  // io_size counts the writes: 8 trims and 8 writes
  for (size_t i = 0; i < ios.size(); i += 2) {
    EXPECT_EQ(ios[i].op, FioOp::kTrim);
    EXPECT_EQ(ios[i + 1], (FioIo{FioOp::kWrite, ios[i].offset, ios[i].length}));
    EXPECT_EQ(ios[i].offset, i / 2 * 8 * kKiB);
  }
}

TEST(FioGenerator, SequencerPostfixAndPercentageRandom) {
  // randread:4 — three sequential I/Os, then a new random offset.
  FioGenerator g = gen("rw=randread:4\nbs=4k\nnorandommap\nnumber_ios=12\n", kGiB);
  std::vector<FioIo> ios = drain(g);
  EXPECT_EQ(ios[0].offset, 0u);
  EXPECT_EQ(ios[1].offset, 4 * kKiB);
  EXPECT_EQ(ios[4].offset, ios[3].offset + 4 * kKiB);
  EXPECT_EQ(ios[5].offset, ios[4].offset + 4 * kKiB);
  FioGenerator same = gen("rw=randread:4\nrw_sequencer=identical\nbs=4k\nnumber_ios=8\n", kGiB);
  ios = drain(same);
  EXPECT_EQ(ios[4].offset, ios[3].offset);
  EXPECT_EQ(ios[6].offset, ios[3].offset);
  FioGenerator seq = gen("rw=randread\npercentage_random=0\nbs=4k\nnumber_ios=50\n", kGiB);
  ios = drain(seq);
  for (size_t i = 0; i < ios.size(); ++i) EXPECT_EQ(ios[i].offset, i * 4 * kKiB);
}

TEST(FioGenerator, DeterministicFromTheRngAndRandseed) {
  auto take = [](FioGenerator g) { return drain(g, 500); };
  std::string job = "rw=randrw\nbsrange=4k-64k\nnorandommap\nsize=1g\n";
  EXPECT_EQ(take(gen(job, kGiB, 0, 5)), take(gen(job, kGiB, 0, 5)));
  EXPECT_NE(take(gen(job, kGiB, 0, 5)), take(gen(job, kGiB, 0, 6)));
  FioJob fixed = job_of(job + "randseed=1234\n");
  RandomStreams a(1), b(2);
  EXPECT_EQ(take(FioGenerator(fixed, kGiB, 0, fio_job_rng(fixed, a, 0, 0))),
            take(FioGenerator(fixed, kGiB, 0, fio_job_rng(fixed, b, 0, 0))));
  EXPECT_NE(take(FioGenerator(fixed, kGiB, 0, fio_job_rng(fixed, a, 0, 0))),
            take(FioGenerator(fixed, kGiB, 1, fio_job_rng(fixed, a, 0, 1))));
  FioJob free = job_of(job);
  EXPECT_NE(take(FioGenerator(free, kGiB, 0, fio_job_rng(free, a, 0, 0))),
            take(FioGenerator(free, kGiB, 0, fio_job_rng(free, b, 0, 0))));
}

TEST(FioGenerator, JobsThatDoNotFitNameTheirOption) {
  auto error = [](const std::string& options, uint64_t target) {
    try {
      gen(options, target);
    } catch (const FioJobError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error("rw=read\nsize=2k\n", kMiB),
            "g.fio:3: job 'j' has a region of 2048 bytes, smaller than its read block size "
            "(4096 bytes)");
  EXPECT_EQ(error("rw=read\noffset=2m\n", kMiB),
            "g.fio:3: clone 0 of job 'j' starts at 2097152 bytes, beyond the end of the "
            "simulated array (1048576 bytes)");
  EXPECT_EQ(error("rw=randread\nsize=1m\nrandom_distribution=zoned_abs:50/512k:50/1m\n", 2 * kMiB),
            "g.fio:4: zoned_abs zones end at 1572864 bytes, beyond job 'j' region of 1048576 "
            "bytes");
  EXPECT_EQ(error("read_iolog=x.log\n", kMiB),
            "g.fio:2: job 'j' replays a trace (read_iolog); it has no generated I/O stream (see "
            "workloads/trace_replay.h)");
}

}  // namespace
}  // namespace mdsim
