// `epoch` (epoch_bitmap.h) under races: a write started at every nanosecond offset around a
// daemon pass's step (1) and flip, and a randomized interleaving of several cores writing a
// few chunks (two pages, one write crossing them) while the daemon runs every few
// microseconds. Whenever the persisted bitmap changes, after every unplug and after every
// daemon pass, every chunk with a data write in flight must be dirty on disk.
#include <gtest/gtest.h>

#include <iterator>
#include <map>
#include <utility>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/bitmap_testing.h"
#include "bitmaps/epoch_bitmap.h"
#include "sim/random.h"

namespace mdsim {
namespace {

using testing::BitmapHost;

const BitmapVariant& epoch_variant() { return *find_bitmap_variant("epoch"); }

BitmapGeometry geometry(uint64_t chunks, uint64_t chunk_bytes) {
  return testing::chunked_geometry(chunks, chunk_bytes);
}

// Chunks with data writes in flight, checked against the persisted bitmap.
struct Armed {
  explicit Armed(const BitmapOps* b) : bitmap(b) {}
  const BitmapOps* bitmap;
  std::map<uint64_t, int> chunks;
  uint64_t checks = 0, violations = 0;
  void arm(uint64_t a, uint64_t b, int d) {
    for (uint64_t c = a; c <= b; ++c) {
      if ((chunks[c] += d) == 0) chunks.erase(c);
    }
  }
  void check() {
    ++checks;
    for (const auto& [c, n] : chunks) violations += !bitmap->persisted_dirty(c);
  }
};

// One write to chunk 1 started `delay` ns after a cleaning pass (chunk 1 Idle) starts.
struct RaceOutcome {
  uint64_t violations = 0;
  bool rescued = false, retried = false, drained_it = false, flipped = false;
};

RaceOutcome race_once(Time delay) {
  BitmapHost h(epoch_variant(), geometry(128, 64 << 20));
  auto& b = dynamic_cast<EpochBitmap&>(h.bitmap());
  const Sector chunk = (64 << 20) / 512;
  h.write_start(chunk, 8);
  h.unplug();
  h.write_end(chunk, 8);
  h.daemon();  // chunk 1 Idle
  Armed armed{&h.bitmap()};
  h.bitmap().set_persist_observer([&] { armed.check(); });
  const Time t0 = h.sim().now();
  h.start([&](SyncExecutor& x) { return b.daemon_work(x, h.io()); }, 1);
  h.sim().run_until(t0 + delay);
  WriteCookie ck;
  h.start([&](SyncExecutor& x) -> Task<void> {
    co_await b.startwrite_tracked(x, chunk, 8, ck);
    co_await b.unplug(x, h.io(), true);
    armed.arm(1, 1, +1);  // the data write goes out
    armed.check();
  });
  h.settle();  // the pass finishes, or waits for the write if it entered the old epoch
  armed.check();
  RaceOutcome r;
  r.drained_it = b.draining(0);
  armed.arm(1, 1, -1);
  h.run([&](SyncExecutor& x) { return b.endwrite_tracked(x, chunk, 8, ck); });
  EpochCounters c = b.counters();
  r.violations = armed.violations;
  r.rescued = c.rescued > 0;
  r.retried = c.tryget_retries + c.recheck_retries > 0;
  r.flipped = c.flips > 0;
  return r;
}

TEST(EpochRace, AWriteRacingStepOneOrTheFlipKeepsItsChunkDirty) {
  int rescued = 0, retried = 0, drained = 0, before = 0;
  auto tally = [&](const RaceOutcome& r, Time d) {
    EXPECT_EQ(r.violations, 0u) << "write started " << d << " ns into the pass";
    rescued += r.rescued;
    retried += r.retried;
    drained += r.drained_it;
    before += !r.flipped;  // the write's RMW came before step (1): nothing was picked
  };
  // Every ns across the scan, step (1) and the flip; then the grace period, drain, step (3),
  // the page write and the resurrect, coarser.
  for (Time d = 0; d < 800; ++d) tally(race_once(d), d);
  for (Time d = 800; d < 50 * kMicrosecond; d += 97) tally(race_once(d), d);
  EXPECT_GT(before, 0);   // writer first: Idle -> Dirty, the pass only ages
  EXPECT_GT(drained, 0);  // entered in the old epoch: the drain waited for it
  EXPECT_GT(rescued, 0);  // Cleaning -> Dirty in the new epoch, the pass left it
  EXPECT_GT(retried, 0);  // the epoch moved under the writer: it retried, never waited
}

// Runs steps through another executor, stalling once before the first tryget: a writer
// interrupted (or its vCPU preempted) between reading the epoch and taking the ref.
class StallBeforeTryget : public SyncExecutor {
 public:
  StallBeforeTryget(SyncExecutor& inner, Simulator& sim, Time stall)
      : inner_(&inner), sim_(&sim), stall_(stall) {}
  bool run_inline(SyncStep& s) override { return inner_->run_inline(s); }
  Task<void> run(SyncStep& s) override {
    if (s.kind == SyncStep::kRefTryGet && stall_ > 0) {
      Time t = std::exchange(stall_, 0);
      co_await sim_->delay(t);
    }
    co_await inner_->run(s);
  }
  Task<void> io_wait(Task<void> io) override { return inner_->io_wait(std::move(io)); }

 private:
  SyncExecutor* inner_;
  Simulator* sim_;
  Time stall_;
};

// SRCU's ABA: the writer reads epoch 0, stalls while a whole pass flips 0 -> 1, drains 0 and
// resurrects it, then gets ref[0]. Without the re-check it would hold an epoch the next flip
// (1 -> 0) does not kill, and that pass would clean its chunk under it.
TEST(EpochRace, AWriterStalledAcrossAWholePassRechecksItsEpoch) {
  BitmapHost h(epoch_variant(), geometry(128, 64 << 20));
  auto& b = dynamic_cast<EpochBitmap&>(h.bitmap());
  const Sector chunk = (64 << 20) / 512;
  h.write_start(chunk, 8);
  h.unplug();
  h.write_end(chunk, 8);
  h.daemon();  // chunk 1 Idle: the next pass flips
  WriteCookie ck;
  bool in_flight = false;
  h.start(
      [&](SyncExecutor& x) -> Task<void> {
        StallBeforeTryget stalled(x, h.sim(), 200 * kMicrosecond);
        co_await b.startwrite_tracked(stalled, 2 * chunk, 8, ck);
        co_await b.unplug(stalled, h.io(), true);
        in_flight = true;
      },
      2);
  h.start([&](SyncExecutor& x) { return b.daemon_work(x, h.io()); }, 1);
  h.settle();
  ASSERT_TRUE(in_flight);
  ASSERT_EQ(b.counters().flips, 1u);  // the pass ran while the writer stalled
  EXPECT_EQ(b.counters().recheck_retries, 1u);
  EXPECT_EQ(ck.bits, EpochBitmap::kTracked | 1u);  // the current epoch, not the stale one
  h.daemon();                                      // chunk 2 ages
  h.daemon();  // picked; the flip 1 -> 0 kills the writer's epoch: the drain waits for it
  EXPECT_TRUE(b.draining(0));
  EXPECT_TRUE(h.bitmap().persisted_dirty(2));
  h.run([&](SyncExecutor& x) { return b.endwrite_tracked(x, 2 * chunk, 8, ck); });
  EXPECT_FALSE(h.bitmap().persisted_dirty(2));
}

// A write without a cookie holds both epochs: whichever one the next flip kills, the pass
// waits for it.
TEST(EpochRace, AnUncookiedWriteIsDrainedByAKillOfEitherEpoch) {
  const Sector chunk = (64 << 20) / 512;
  for (int epoch = 0; epoch < 2; ++epoch) {
    BitmapHost h(epoch_variant(), geometry(128, 64 << 20));
    auto& b = dynamic_cast<EpochBitmap&>(h.bitmap());
    auto write_once = [&](uint64_t c) {
      h.write_start(c * chunk, 8);
      h.unplug();
      h.write_end(c * chunk, 8);
    };
    if (epoch == 1) {  // one flip first
      write_once(0);
      h.daemon_periods(2);
    }
    ASSERT_EQ(b.page_epoch(0), epoch);
    h.run([&](SyncExecutor& x) { return b.startwrite(x, 64 * chunk, 8); });
    h.unplug();
    write_once(1);
    h.daemon_periods(2);  // 1 and 64 picked; the flip kills `epoch`
    EXPECT_TRUE(b.draining(0)) << "epoch " << epoch;
    EXPECT_TRUE(h.bitmap().persisted_dirty(64)) << "epoch " << epoch;
    h.run([&](SyncExecutor& x) { return b.endwrite(x, 64 * chunk, 8); });
    EXPECT_FALSE(b.draining(0));
    EXPECT_FALSE(h.bitmap().persisted_dirty(1));
  }
}

// Several cores start/unplug/end writes on a few chunks of two pages (tracked and uncookied,
// one write crossing the page boundary; data writes in flight up to 5 us, one in eight up to
// 40 us); the daemon runs every 1-6 us; page writes take 1-30 us.
class RandomIo : public BitmapIo {
 public:
  RandomIo(Simulator& sim, uint64_t seed) : sim_(&sim), rng_(seed) {}
  Task<void> write_pages(SyncExecutor& x, std::span<const uint64_t>, bool) override {
    co_await x.io_wait(wait(static_cast<Time>(1000 + rng_.below(29000))));
  }

 private:
  Task<void> wait(Time t) { co_await sim_->delay(t); }
  Simulator* sim_;
  Rng rng_;
};

TEST(EpochRace, RandomInterleavingsKeepEveryInFlightChunkDirtyOnDisk) {
  constexpr uint64_t kChunks = 30784;  // two pages: page 1 starts at chunk 30720
  constexpr Sector kCs = (1 << 20) / 512;
  struct Op {
    Sector off;
    uint64_t sectors, first, last;
  };
  const Op ops[] = {{7 * kCs, 8, 7, 7},
                    {8 * kCs - 8, 16, 7, 8},
                    {70 * kCs, 8, 70, 70},
                    {100 * kCs, 8, 100, 100},
                    {30719 * kCs, 8, 30719, 30719},
                    {30720 * kCs - 8, 16, 30719, 30720},
                    {30721 * kCs, 8, 30721, 30721},
                    {30780 * kCs, 8, 30780, 30780}};
  constexpr int kWorkers = 6, kOpsPerWorker = 300;
  EpochCounters total;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    BitmapHost h(epoch_variant(), geometry(kChunks, 1 << 20), kWorkers + 1);
    auto& b = dynamic_cast<EpochBitmap&>(h.bitmap());
    RandomIo io(h.sim(), seed);
    Armed armed{&h.bitmap()};
    h.bitmap().set_persist_observer([&] { armed.check(); });
    int running = kWorkers;
    for (int w = 0; w < kWorkers; ++w) {
      h.start(
          [&, w](SyncExecutor& x) -> Task<void> {
            Rng rng(seed * 1000 + static_cast<uint64_t>(w));
            for (int i = 0; i < kOpsPerWorker; ++i) {
              // Half the writes go to chunk 7, the rest spread: some chunks go idle.
              const Op& op = ops[rng.below(2) ? 0 : rng.below(std::size(ops))];
              bool tracked = rng.below(4) != 0;
              WriteCookie ck;
              if (tracked) {
                co_await b.startwrite_tracked(x, op.off, op.sectors, ck);
              } else {
                co_await b.startwrite(x, op.off, op.sectors);
              }
              co_await b.unplug(x, io, true);
              armed.arm(op.first, op.last, +1);
              armed.check();
              co_await h.sim().delay(static_cast<Time>(rng.below(rng.below(8) ? 5000 : 100000)));
              armed.check();
              armed.arm(op.first, op.last, -1);
              if (tracked) {
                co_await b.endwrite_tracked(x, op.off, op.sectors, ck);
              } else {
                co_await b.endwrite(x, op.off, op.sectors);
              }
              co_await h.sim().delay(static_cast<Time>(rng.below(3000)));
            }
            --running;
          },
          w);
    }
    h.start(
        [&](SyncExecutor& x) -> Task<void> {
          Rng rng(seed);
          while (running > 0) {
            co_await h.sim().delay(static_cast<Time>(1000 + rng.below(5000)));
            co_await b.daemon_work(x, io);
            armed.check();
          }
          for (int i = 0; i < 3; ++i) co_await b.daemon_work(x, io);  // all ended: clean up
        },
        kWorkers);
    h.settle();
    EXPECT_EQ(armed.violations, 0u) << "seed " << seed;
    EXPECT_GT(armed.checks, 2u * kWorkers * kOpsPerWorker);
    std::vector<uint8_t> img = h.bitmap().disk_image();
    EXPECT_EQ(count_dirty_bits(bitmap_image_bits(img), kChunks), 0u) << "seed " << seed;
    EpochCounters c = b.counters();
    total.flips += c.flips;
    total.rescued += c.rescued;
    total.cleaned += c.cleaned;
    total.tryget_retries += c.tryget_retries + c.recheck_retries;
    total.write_waits += c.write_waits;
    total.uncookied_waits += c.uncookied_waits;
  }
  // The races the test is for did happen.
  EXPECT_GT(total.flips, 100u);
  EXPECT_GT(total.rescued, 0u);
  EXPECT_GT(total.write_waits, 0u);
  EXPECT_GT(total.uncookied_waits, 0u);
  RecordProperty("flips", static_cast<int>(total.flips));
  RecordProperty("rescued", static_cast<int>(total.rescued));
  RecordProperty("retries", static_cast<int>(total.tryget_retries));
  RecordProperty("cleaned", static_cast<int>(total.cleaned));
}

}  // namespace
}  // namespace mdsim
