// `epoch` (epoch_bitmap.h): writers never wait for the daemon, in-flight writes keep their
// chunks dirty on disk across passes, busy pages get cleaned, page writes are ordered, and the
// image is md's format as mdadm reads it.
#include "bitmaps/epoch_bitmap.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/bitmap_testing.h"

namespace mdsim {
namespace {

using testing::BitmapHost;

const BitmapVariant& epoch_variant() { return testing::registered("epoch"); }

BitmapGeometry geometry(uint64_t chunks = 128, uint64_t chunk_bytes = 64 << 20) {
  return testing::chunked_geometry(chunks, chunk_bytes);
}

// A BitmapIo whose page writes take `latency` each, sleeping like md_super_wait.
class SlowIo : public BitmapIo {
 public:
  SlowIo(Simulator& sim, Time latency) : sim_(&sim), latency_(latency) {}
  Task<void> write_pages(SyncExecutor& x, std::span<const uint64_t> pages, bool) override {
    calls_ += 1;
    co_await x.io_wait(wait());
  }
  int calls() const { return calls_; }

 private:
  Task<void> wait() { co_await sim_->delay(latency_); }
  Simulator* sim_;
  Time latency_;
  int calls_ = 0;
};

class Epoch : public ::testing::Test {
 protected:
  BitmapHost host{epoch_variant(), geometry()};
  EpochBitmap& eb = dynamic_cast<EpochBitmap&>(host.bitmap());
  const Sector chunk = geometry().chunk_sectors();

  Time now() { return host.sim().now(); }
  // A write to chunk c that started, reached the disk and ended.
  void write_once(uint64_t c) {
    host.write_start(c * chunk, 8);
    host.unplug();
    host.write_end(c * chunk, 8);
  }
  // Starts a tracked write to chunk c on `cpu`; *done gets the time startwrite returned.
  void start_write(uint64_t c, WriteCookie& ck, Time* done, int cpu) {
    host.start(
        [&, c, done](SyncExecutor& x) -> Task<void> {
          co_await eb.startwrite_tracked(x, c * chunk, 8, ck);
          *done = host.sim().now();
        },
        cpu);
  }
  void end_write(uint64_t c, const WriteCookie& ck) {
    host.run([&](SyncExecutor& x) { return eb.endwrite_tracked(x, c * chunk, 8, ck); });
  }
  void start_daemon(BitmapIo& io, int cpu = 1) {
    host.start([&](SyncExecutor& x) { return eb.daemon_work(x, io); }, cpu);
  }
};

TEST_F(Epoch, RegisteredAndStartsClean) {
  EXPECT_STREQ(host.bitmap().name(), "epoch");
  EXPECT_EQ(eb.pages(), 1u);
  EXPECT_EQ(eb.state(0), EpochState::kClean);
  EXPECT_EQ(host.bitmap().disk_image().size(), 256u + 16u);
}

// The chunk states through a write, its end and the two passes that clean it.
TEST_F(Epoch, ChunkAgesOnePassAndIsCleanedByTheNext) {
  host.write_start(2 * chunk, 8);
  EXPECT_EQ(eb.state(2), EpochState::kDirty);
  EXPECT_FALSE(host.bitmap().persisted_dirty(2));  // the unplug writes it
  host.unplug();
  EXPECT_TRUE(host.bitmap().persisted_dirty(2));
  host.write_end(2 * chunk, 8);
  host.daemon();
  EXPECT_EQ(eb.state(2), EpochState::kIdle);  // aged: no flip, no write
  EXPECT_EQ(eb.counters().flips, 0u);
  host.daemon();
  EXPECT_EQ(eb.state(2), EpochState::kClean);
  EXPECT_FALSE(host.bitmap().persisted_dirty(2));
  EXPECT_EQ(eb.page_epoch(0), 1);
  EXPECT_EQ(eb.counters().flips, 1u);
  EXPECT_EQ(eb.counters().cleaned, 1u);
}

// Sets up a busy page: chunks 1 and 2 Idle (cleanable), a write B in flight on chunk 3 since
// before the pass, and the pass on core 1 stuck in its drain waiting for B.
class EpochDrain : public Epoch {
 protected:
  void SetUp() override {
    write_once(1);
    write_once(2);
    host.daemon();  // 1, 2: Dirty -> Idle
    host.write_start(3 * chunk, 8);
    host.unplug();
    start_daemon(host.io());
    host.sim().run_until(now() + 100 * kMicrosecond);  // past the grace period
    ASSERT_TRUE(eb.draining(0));
    ASSERT_EQ(eb.page_epoch(0), 1);
    ASSERT_EQ(eb.state(1), EpochState::kCleaning);
    ASSERT_EQ(eb.state(2), EpochState::kCleaning);
  }
};

TEST_F(EpochDrain, WriterNeverWaitsWhileTheDaemonDrainsABusyPage) {
  WriteCookie ck;
  Time t0 = now(), done = -1;
  start_write(1, ck, &done, 2);
  host.sim().run_until(t0 + 10 * kMicrosecond);
  ASSERT_GE(done, 0) << "startwrite waited for the daemon";
  EXPECT_LT(done - t0, 300) << "startwrite took " << done - t0 << " ns";
  EXPECT_EQ(ck.bits, EpochBitmap::kTracked | 1u);  // entered in the new epoch
  EXPECT_EQ(eb.state(1), EpochState::kDirty);      // Cleaning -> Dirty
  EXPECT_EQ(eb.counters().rescued, 1u);
  // No page write for it: chunk 1's bit has been on disk since its first write.
  uint64_t writes = host.io().writes();
  host.unplug();
  EXPECT_EQ(host.io().writes(), writes);
  EXPECT_TRUE(host.bitmap().persisted_dirty(1));
  EXPECT_TRUE(eb.draining(0));  // the daemon still waits for B, and only for B
  host.write_end(3 * chunk, 8);
  EXPECT_FALSE(eb.draining(0));
  // Chunk 2 (not written) is cleaned although the page never went idle; chunk 1 is not.
  EXPECT_FALSE(host.bitmap().persisted_dirty(2));
  EXPECT_TRUE(host.bitmap().persisted_dirty(1));
  EXPECT_TRUE(host.bitmap().persisted_dirty(3));
  end_write(1, ck);
}

TEST_F(EpochDrain, WriteInFlightAcrossDaemonPassesStaysDirtyOnDisk) {
  WriteCookie ck;
  Time done = -1;
  start_write(1, ck, &done, 2);
  host.settle();
  host.unplug();                 // C is in flight from here
  host.write_end(3 * chunk, 8);  // the pass completes with C still in flight
  EXPECT_FALSE(eb.draining(0));
  EXPECT_TRUE(host.bitmap().persisted_dirty(1));
  // Next pass: chunk 1 ages to Idle, chunk 3 (B ended) is picked, and the pass's kill of
  // epoch 1 waits for C. Later passes skip the page meanwhile.
  host.daemon_periods(3);
  EXPECT_EQ(eb.state(1), EpochState::kIdle);
  EXPECT_EQ(eb.state(3), EpochState::kCleaning);
  EXPECT_TRUE(eb.draining(0));
  EXPECT_TRUE(host.bitmap().persisted_dirty(1));
  EXPECT_TRUE(host.bitmap().persisted_dirty(3));
  end_write(1, ck);  // C ends: the drain completes
  EXPECT_FALSE(eb.draining(0));
  EXPECT_FALSE(host.bitmap().persisted_dirty(3));
  EXPECT_TRUE(host.bitmap().persisted_dirty(1));  // Idle: the next pass cleans it
  host.daemon_periods(1);
  EXPECT_FALSE(host.bitmap().persisted_dirty(1));
}

// A write without a cookie holds both epochs; one that meets a drain sleeps (as llbitmap).
TEST_F(EpochDrain, UncookiedWriterWaitsForTheResurrectAndIsCovered) {
  bool started = false;
  host.start(
      [&](SyncExecutor& x) -> Task<void> {
        co_await eb.startwrite(x, 2 * chunk, 8);
        started = true;
      },
      2);
  host.settle();
  EXPECT_FALSE(started);
  EXPECT_EQ(eb.counters().uncookied_waits, 1u);
  host.write_end(3 * chunk, 8);  // the drain completes, epoch 0 is resurrected
  EXPECT_TRUE(started);
  host.unplug();
  EXPECT_TRUE(host.bitmap().persisted_dirty(2));
  host.daemon_periods(3);  // every pass's drain covers it: stays dirty
  EXPECT_TRUE(host.bitmap().persisted_dirty(2));
  host.run([&](SyncExecutor& x) { return eb.endwrite(x, 2 * chunk, 8); });
  host.daemon_periods(3);
  EXPECT_FALSE(host.bitmap().persisted_dirty(2));
}

// The daemon's Clean snapshot is slow to land; a writer that dirties the chunk meanwhile must
// not have its write overtaken by it.
TEST_F(Epoch, SlowDaemonWriteCannotOverwriteALaterDirtyWrite) {
  write_once(1);
  host.daemon();  // Idle
  SlowIo slow(host.sim(), 500 * kMicrosecond);
  start_daemon(slow);
  host.sim().run_until(now() + 100 * kMicrosecond);
  ASSERT_EQ(slow.calls(), 1);  // the Clean snapshot is in flight
  ASSERT_EQ(eb.state(1), EpochState::kClean);
  std::vector<bool> seen;  // persisted_dirty(1) at each completed page write
  host.bitmap().set_persist_observer([&] { seen.push_back(host.bitmap().persisted_dirty(1)); });
  WriteCookie ck;
  Time t0 = now(), unplugged = -1;
  host.start([&](SyncExecutor& x) -> Task<void> {
    co_await eb.startwrite_tracked(x, chunk, 8, ck);
    co_await eb.unplug(x, host.io(), true);
    unplugged = host.sim().now();
  });
  host.settle();
  EXPECT_GE(unplugged, t0 + 400 * kMicrosecond) << "the unplug did not wait for the slow write";
  EXPECT_EQ(seen, (std::vector<bool>{false, true}));  // clean lands first, then dirty
  EXPECT_TRUE(host.bitmap().persisted_dirty(1));
  EXPECT_GE(eb.counters().write_waits, 1u);
  end_write(1, ck);
}

// One chunk written continuously, its neighbour written once: the neighbour is cleaned within
// two passes although the page is never idle, and no startwrite ever waits.
TEST_F(Epoch, BusyButNotWrittenChunksOfABusyPageAreCleaned) {
  write_once(6);
  bool stop = false;
  Time worst = 0;
  int hot_writes = 0;
  host.start([&](SyncExecutor& x) -> Task<void> {
    while (!stop) {
      WriteCookie ck;
      Time t = host.sim().now();
      co_await eb.startwrite_tracked(x, 5 * chunk, 8, ck);
      worst = std::max(worst, host.sim().now() - t);
      co_await eb.unplug(x, host.io(), true);
      co_await host.sim().delay(3 * kMicrosecond);
      co_await eb.endwrite_tracked(x, 5 * chunk, 8, ck);
      ++hot_writes;
      co_await host.sim().delay(1 * kMicrosecond);
    }
  });
  host.start(
      [&](SyncExecutor& x) -> Task<void> {
        for (int i = 0; i < 4; ++i) {
          co_await host.sim().delay(50 * kMicrosecond);
          co_await eb.daemon_work(x, host.io());
        }
        stop = true;
      },
      1);
  host.settle();
  EXPECT_GT(hot_writes, 40);
  EXPECT_FALSE(host.bitmap().persisted_dirty(6));
  EXPECT_TRUE(host.bitmap().persisted_dirty(5));
  EXPECT_GE(eb.counters().flips, 1u);
  EXPECT_LT(worst, 300) << "a startwrite waited";
}

// Dirty -> Dirty is reads only: no shared line changes hands, so it costs less than one
// cache-line transfer (45 ns on this profile); classic takes counts.lock twice.
TEST_F(Epoch, SteadyStateWriteIsReadsAndPercpuOpsOnly) {
  write_once(9);
  host.write_start(9 * chunk, 8, 1);  // warms core 1's percpu line
  host.write_end(9 * chunk, 8, 1);
  Time t0 = now();
  host.write_start(9 * chunk, 8, 1);
  host.write_end(9 * chunk, 8, 1);
  EXPECT_LT(now() - t0, 30);
}

TEST_F(Epoch, WriteAcrossPagesRecordsEachPagesEpoch) {
  const uint64_t c0 = 30719;  // the last chunk of page 0
  BitmapHost h(epoch_variant(), geometry(40000, 1 << 20));
  auto& b = dynamic_cast<EpochBitmap&>(h.bitmap());
  const Sector cs = (1 << 20) / 512;
  ASSERT_EQ(b.pages(), 2u);
  ASSERT_EQ(b.page_of(c0), 0u);
  ASSERT_EQ(b.page_of(c0 + 1), 1u);
  // Flip page 1 only: a write to its chunk 30725, ended, two passes.
  h.write_start(30725 * cs, 8);
  h.unplug();
  h.write_end(30725 * cs, 8);
  h.daemon_periods(2);
  ASSERT_EQ(b.page_epoch(0), 0);
  ASSERT_EQ(b.page_epoch(1), 1);
  WriteCookie ck;
  h.run([&](SyncExecutor& x) { return b.startwrite_tracked(x, c0 * cs + cs - 8, 16, ck); });
  EXPECT_EQ(ck.bits, EpochBitmap::kTracked | 0b10u);  // page 0: epoch 0, page 1: epoch 1
  h.unplug();
  // Page 1 for 30725; the clean of page 1 (and page 0: events_cleared); now pages 0 and 1.
  EXPECT_EQ(h.io().writes(), 1u + 2u + 2u);
  EXPECT_TRUE(h.bitmap().persisted_dirty(c0));
  EXPECT_TRUE(h.bitmap().persisted_dirty(c0 + 1));
  h.run([&](SyncExecutor& x) { return b.endwrite_tracked(x, c0 * cs + cs - 8, 16, ck); });
  h.daemon_periods(2);
  EXPECT_FALSE(h.bitmap().persisted_dirty(c0));
  EXPECT_FALSE(h.bitmap().persisted_dirty(c0 + 1));
}

}  // namespace
}  // namespace mdsim
