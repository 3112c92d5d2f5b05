// The bitmap-loop scenario: conservation, determinism, contention growing with cores for the
// global-lock bitmap and absent without a bitmap, and the image a crash point leaves.
#include "bitmaps/bitmap_loop.h"

#include <gtest/gtest.h>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/registry.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

BitmapLoopResult run(const BitmapLoopParams& p, int cores, uint64_t seed = 1,
                     const BitmapVariant* v = nullptr) {
  Simulator sim;
  Machine m(sim, testing::profile(cores > 1 ? 2 : 1, cores > 1 ? cores / 2 : 1));
  return run_bitmap_loop(m, p, RandomStreams(seed), v);
}

// The classic bitmap, except that its on-disk bits are never set: what the checker must catch.
class LyingBitmap : public BitmapOps {
 public:
  LyingBitmap(const BitmapGeometry& g, const MddevView* m)
      : BitmapOps(g, m), real_(make_classic_bitmap(g, m)) {
    decls_ = real_->decls();
  }
  const char* name() const override { return "lying"; }
  void load_image(std::span<const uint8_t> i) override { real_->load_image(i); }
  Task<void> startwrite(SyncExecutor& x, Sector o, uint64_t n) override {
    return real_->startwrite(x, o, n);
  }
  Task<void> endwrite(SyncExecutor& x, Sector o, uint64_t n) override {
    return real_->endwrite(x, o, n);
  }
  Task<void> start_behind_write(SyncExecutor& x) override { return real_->start_behind_write(x); }
  Task<void> end_behind_write(SyncExecutor& x) override { return real_->end_behind_write(x); }
  Task<void> wait_behind_writes(SyncExecutor& x) override { return real_->wait_behind_writes(x); }
  Task<bool> start_sync(SyncExecutor& x, Sector o, Sector* b, bool d) override {
    return real_->start_sync(x, o, b, d);
  }
  Task<void> end_sync(SyncExecutor& x, Sector o, Sector* b) override {
    return real_->end_sync(x, o, b);
  }
  Task<void> close_sync(SyncExecutor& x) override { return real_->close_sync(x); }
  Task<void> cond_end_sync(SyncExecutor& x, Sector s, bool f) override {
    return real_->cond_end_sync(x, s, f);
  }
  Task<void> unplug(SyncExecutor& x, BitmapIo& io, bool s) override {
    return real_->unplug(x, io, s);
  }
  Task<void> daemon_work(SyncExecutor& x, BitmapIo& io) override {
    return real_->daemon_work(x, io);
  }
  void dirty_bits(uint64_t s, uint64_t e) override { real_->dirty_bits(s, e); }
  BitmapStats get_stats() const override { return real_->get_stats(); }
  std::vector<uint8_t> disk_image() const override { return real_->disk_image(); }
  bool persisted_dirty(uint64_t) const override { return false; }

 private:
  std::unique_ptr<BitmapOps> real_;
};

std::unique_ptr<BitmapOps> make_lying(const BitmapGeometry& g, const MddevView* m) {
  return std::make_unique<LyingBitmap>(g, m);
}

BitmapLoopParams params(const char* variant, const char* pattern) {
  BitmapLoopParams p;
  p.variant = variant;
  p.pattern = pattern;
  p.iodepth = 2;
  p.duration_ns = 500 * kMicrosecond;
  p.daemon_sleep_ns = 100 * kMicrosecond;
  return p;
}

TEST(BitmapLoop, EveryStartedWriteEndsAndTheRunIsDeterministic) {
  BitmapLoopParams p = params("bitmap", "rand");
  BitmapLoopResult a = run(p, 8);
  BitmapLoopResult b = run(p, 8);
  EXPECT_GT(a.writes, 100u);
  EXPECT_EQ(a.in_flight_at_end, 0u);
  EXPECT_FALSE(a.crashed);
  EXPECT_EQ(a.threads, 8);
  EXPECT_GE(a.daemon_passes, 3u);  // every 100 us after the previous pass ended
  EXPECT_LE(a.daemon_passes, 4u);
  EXPECT_EQ(a.writes, b.writes);
  EXPECT_EQ(a.image, b.image);
  EXPECT_EQ(a.write_latency.count(), a.writes);
  EXPECT_NE(run(p, 8, 2).writes_per_sec + 1, 0);  // another seed runs too
}

TEST(BitmapLoop, GlobalLockContentionGrowsWithCoresAndNoBitmapHasNone) {
  BitmapLoopParams p = params("bitmap", "same");
  p.io_ns = kMicrosecond;  // CPU-bound: the lock, not the disk, limits
  BitmapLoopResult one = run(p, 1);
  BitmapLoopResult many = run(p, 32);
  EXPECT_LT(one.sync_share, 0.05);
  EXPECT_GT(many.sync_share, 0.5);  // 32 cores on one counts.lock
  EXPECT_LT(many.writes_per_sec, 32 * one.writes_per_sec / 3);
  p.variant = "none";
  BitmapLoopResult none1 = run(p, 1);
  BitmapLoopResult none = run(p, 32);
  EXPECT_EQ(none.sync_share, 0);
  EXPECT_NEAR(none.writes_per_sec, 32 * none1.writes_per_sec, 0.02 * 32 * none1.writes_per_sec);
  EXPECT_TRUE(none.image.empty());
}

TEST(BitmapLoop, CrashPointKeepsInFlightChunksDirtyInTheImage) {
  BitmapLoopParams p = params("bitmap", "same");
  p.crash_at_ns = 250 * kMicrosecond + 3 * kMicrosecond;
  BitmapLoopResult r = run(p, 4);
  EXPECT_TRUE(r.crashed);
  EXPECT_EQ(r.end_ns, p.crash_at_ns);
  EXPECT_GT(r.in_flight_at_end, 0u);
  BitmapSuper sb = read_bitmap_super(r.image);
  ASSERT_TRUE(sb.ok()) << sb.error;
  EXPECT_TRUE(bitmap_bit(bitmap_image_bits(r.image), 0));  // every write goes to chunk 0
  EXPECT_EQ(count_dirty_bits(bitmap_image_bits(r.image), sb.chunks()), 1u);
}

// The checker itself. One writer with a busy daemon: the classic bitmap's clearing keeps the
// invariant. A bitmap that never persists a bit is caught at its first unplug.
TEST(BitmapLoop, InvariantCheckerPassesOneClassicWriterAndCatchesALyingBitmap) {
  BitmapLoopParams p = params("bitmap", "rand");
  p.sync_size = Sector{1} << 22;  // 32 chunks: writes keep landing in chunks being cleaned
  p.daemon_sleep_ns = 7 * kMicrosecond;
  p.iodepth = 1;
  p.check_invariant = true;
  BitmapLoopResult r = run(p, 1);
  EXPECT_GE(r.invariant_checks, r.writes);
  EXPECT_EQ(r.invariant_violations, 0u) << r.first_violation;
  EXPECT_GT(r.daemon_passes, 30u);

  BitmapVariant lying{"lying", "never persists a bit", &make_lying};
  BitmapLoopResult bad = run(p, 1, 1, &lying);
  EXPECT_GT(bad.invariant_violations, 0u);
  EXPECT_EQ(bad.first_violation.rfind("at ", 0), 0u) << bad.first_violation;
  EXPECT_NE(bad.first_violation.find("after unplug: chunk "), std::string::npos);
}

// Concurrent writers expose a window the kernel has (md-bitmap.c __bitmap_unplug, 6.12): an
// unplug waits (md_bitmap_wait_writes) only if it wrote a page itself. Writer B whose bit is in
// a page that writer A's unplug is already writing finds the page clean of DIRTY, returns at
// once, and md submits B's data while the page carrying B's bit is still in flight: a crash
// then leaves B's chunk clean on disk with B's data on some members only.
TEST(BitmapLoop, ConcurrentUnplugsShowClassicsUnwaitedPageWriteWindow) {
  BitmapLoopParams p = params("bitmap", "rand");
  p.sync_size = Sector{1} << 22;
  p.daemon_sleep_ns = 0;
  p.check_invariant = true;
  BitmapLoopResult r = run(p, 8);
  EXPECT_GT(r.invariant_violations, 0u);
  EXPECT_NE(r.first_violation.find("after unplug: chunk "), std::string::npos) << r.first_violation;
}

TEST(BitmapLoop, SequentialThreadsWriteTheirOwnRegions) {
  BitmapLoopParams p = params("bitmap", "seq");
  p.daemon_sleep_ns = 0;  // no daemon: every chunk written stays dirty
  p.sync_size = Sector{8} << 21;  // 8 GiB: 128 chunks of 64 MiB, 16 per thread
  BitmapLoopResult r = run(p, 8);
  BitmapSuper sb = read_bitmap_super(r.image);
  std::span<const uint8_t> bits = bitmap_image_bits(r.image);
  // Each thread starts at the first chunk of its region and stays in it for 500 us.
  for (uint64_t t = 0; t < 8; ++t) EXPECT_TRUE(bitmap_bit(bits, t * 16)) << t;
  EXPECT_EQ(count_dirty_bits(bits, sb.chunks()), 8u);
}

}  // namespace
}  // namespace mdsim
