// The llbitmap variant through its operations: every state x action of the 6.18 table driven
// by the operation that raises it (and the degraded/raid456 overrides), the per-page barrier
// (a write to a frozen page waits until resurrect; the daemon waits for in-flight writes), the
// daemon cleaning only idle pages, the kernel's lazy Clean, names, and the native executor.
#include <gtest/gtest.h>

#include <string>

#include "bitmaps/llbitmap_testing.h"
#include "bitmaps/native_sync.h"

namespace mdsim {
namespace {

using testing::kEagerLlbitmapVariant;
using testing::kLazyLlbitmapVariant;
using testing::ll_paged;
using testing::ll_small;
using testing::LlbitmapHost;

constexpr uint64_t kChunk = 5;

// Puts chunk 5 in state `s`, raises `a` through the operation md would call, returns the state.
uint8_t drive(uint8_t s, LlAction a, bool degraded = false, bool raid456 = false) {
  BitmapGeometry g = ll_small();
  g.raid456 = raid456;
  LlbitmapHost t(g);
  t.bm().set_state_for_test(kChunk, s);
  t.host.mddev().degraded = degraded;
  switch (a) {
    case LlAction::kStartwrite:
      t.host.write_start(t.at(kChunk), 8);
      break;
    case LlAction::kStartsync:
      t.start_sync(kChunk);
      break;
    case LlAction::kEndsync:
      t.close_sync();
      break;
    case LlAction::kAbortsync:
      t.end_sync(kChunk);
      break;
    case LlAction::kReload:
      t.reload_with(kChunk, s);
      break;
    case LlAction::kDaemon:
      t.flush();  // llbitmap_flush: a daemon pass over every page, expired or not
      break;
    case LlAction::kDiscard:
      t.discard(kChunk);
      break;
    case LlAction::kStale:
      t.host.mddev().events = 9;  // the image says 1: out of date
      t.reload_with(kChunk, s);
      break;
  }
  return t.state(kChunk);
}

TEST(Llbitmap, EveryStateTimesEveryActionThroughTheOperations) {
  for (int s = 0; s < kLlStateCount; ++s) {
    for (int ai = 0; ai < kLlActionCount; ++ai) {
      auto a = static_cast<LlAction>(ai);
      uint8_t c = static_cast<uint8_t>(s);
      uint8_t want = llbitmap_table(c, a);
      EXPECT_EQ(drive(c, a), want == kLlNone ? c : want)
          << llbitmap_state_name(c) << " x " << llbitmap_action_name(a);
    }
  }
}

TEST(Llbitmap, DegradedAndRaid456OverridesThroughTheOperations) {
  EXPECT_EQ(drive(kLlUnwritten, LlAction::kStartwrite, true), kLlNeedSync);
  EXPECT_EQ(drive(kLlClean, LlAction::kStartwrite, true), kLlNeedSync);
  EXPECT_EQ(drive(kLlDirty, LlAction::kStartsync, true), kLlSyncing);  // and start_sync says yes
  EXPECT_EQ(drive(kLlDirty, LlAction::kStartsync, false), kLlDirty);
  EXPECT_EQ(drive(kLlDirty, LlAction::kDaemon, true), kLlDirty);  // degraded: daemon does nothing
  EXPECT_EQ(drive(kLlUnwritten, LlAction::kStartwrite, false, true), kLlNeedSync);
  EXPECT_EQ(drive(kLlClean, LlAction::kStartwrite, false, true), kLlDirty);
  LlbitmapHost t;
  t.host.mddev().degraded = true;
  t.bm().set_state_for_test(kChunk, kLlDirty);
  EXPECT_TRUE(t.start_sync(kChunk));
}

TEST(Llbitmap, AWriteToAFrozenPageWaitsUntilTheDaemonResurrectsIt) {
  LlbitmapHost t(ll_small(), kEagerLlbitmapVariant);  // to see the cleaning on disk
  Llbitmap& bm = t.bm();
  t.host.write_start(t.at(5), 8);  // stays in flight, holding page 0's ref
  t.host.unplug();
  t.host.daemon_periods(1);  // the timer is due one period later
  EXPECT_EQ(bm.counters().daemon_passes, 0u);
  t.host.sim().run_until(t.host.sim().now() + t.geo.daemon_sleep);
  bool daemon_done = false;
  t.host.start(
      [&](SyncExecutor& x) -> Task<void> {
        co_await bm.daemon_work(x, t.host.io());
        daemon_done = true;
      },
      1);
  t.host.settle();
  // Page 0 is idle for barrier_idle: killed, the daemon waits for the in-flight write.
  EXPECT_FALSE(daemon_done);
  EXPECT_TRUE(bm.page_dying(0));
  EXPECT_EQ(bm.state(5), kLlDirty);
  bool second_done = false;
  t.host.start(
      [&](SyncExecutor& x) -> Task<void> {
        co_await bm.startwrite(x, t.at(6), 8);
        second_done = true;
      },
      2);
  t.host.settle();
  EXPECT_FALSE(second_done);  // tryget_live failed: asleep on pctl->wait
  EXPECT_EQ(bm.counters().barrier_waits, 1u);
  EXPECT_EQ(bm.state(6), kLlUnwritten);
  t.host.write_end(t.at(5), 8, 3);  // the ref drops to zero: the daemon goes on
  EXPECT_TRUE(daemon_done);
  EXPECT_TRUE(second_done);
  EXPECT_FALSE(bm.page_dying(0));
  EXPECT_EQ(bm.state(5), kLlClean);
  EXPECT_EQ(bm.state(6), kLlDirty);  // written after the daemon's pass, not cleaned by it
  EXPECT_EQ(bm.counters().chunks_cleaned, 1u);
  EXPECT_FALSE(bm.persisted_dirty(5));  // the pass wrote the block it cleaned
}

TEST(Llbitmap, TheTimerFiringDuringAStuckPassMakesItRescan) {
  LlbitmapHost t(ll_paged());
  Llbitmap& bm = t.bm();
  t.host.write_start(t.at(0), 8);  // in flight until the end of the test
  t.host.unplug();
  t.host.daemon_periods(2);  // the pass freezes page 0 and waits for that write
  EXPECT_EQ(bm.counters().daemon_passes, 1u);
  EXPECT_TRUE(bm.page_dying(0));
  t.write(3072);  // page 1 is not frozen: the write goes through and re-arms the timer
  EXPECT_EQ(bm.state(3072), kLlDirty);
  t.host.daemon_periods(2);  // the timer fires while the work is busy: BITMAP_DAEMON_BUSY
  EXPECT_EQ(bm.counters().daemon_busy, 1u);
  EXPECT_EQ(bm.counters().daemon_passes, 1u);
  t.host.write_end(t.at(0), 8);  // the pass goes on, then rescans
  EXPECT_EQ(bm.state(0), kLlClean);
  EXPECT_EQ(bm.state(3072), kLlClean);
  EXPECT_FALSE(bm.page_dying(0));
}

TEST(Llbitmap, OnlyPagesIdleForBarrierIdleAreCleaned) {
  LlbitmapHost t(ll_paged(), kEagerLlbitmapVariant);  // to see the cleaning on disk
  Llbitmap& bm = t.bm();
  ASSERT_EQ(Llbitmap::page_of_chunk(0), 0u);
  ASSERT_EQ(Llbitmap::page_of_chunk(3072), 1u);
  t.write(0);
  t.write(3072);
  t.host.daemon_periods(1);
  t.write(3073);  // page 1 entered again
  t.host.daemon_periods(1);
  EXPECT_EQ(bm.state(0), kLlClean);
  EXPECT_EQ(bm.state(3072), kLlDirty);
  EXPECT_EQ(bm.state(3073), kLlDirty);
  EXPECT_FALSE(bm.persisted_dirty(0));
  EXPECT_TRUE(bm.persisted_dirty(3072));
  t.host.daemon_periods(1);
  EXPECT_EQ(bm.state(3072), kLlClean);
  EXPECT_EQ(bm.state(3073), kLlClean);
  EXPECT_FALSE(bm.persisted_dirty(3073));
  // The first pass froze every expired page once (page 1 was not: written since), page 0
  // among them; resume sets expire to never, so the second froze page 1 only.
  EXPECT_EQ(bm.counters().pages_suspended, bm.pages());
}

TEST(Llbitmap, KernelDaemonLeavesCleanInMemoryUntilTheBlockIsWrittenAgain) {
  LlbitmapHost t(ll_small(), kLazyLlbitmapVariant);
  t.write(5);
  t.host.daemon_periods(2);
  EXPECT_EQ(t.state(5), kLlClean);
  EXPECT_EQ(t.bm().persisted_state(5), kLlDirty);  // a crash now resyncs chunk 5
  EXPECT_TRUE(t.bm().persisted_dirty(5));
  t.write(100);  // same block: the unplug writes chunk 5's Clean along with it
  EXPECT_EQ(t.bm().persisted_state(5), kLlClean);
  EXPECT_EQ(t.bm().persisted_state(100), kLlDirty);
}

TEST(Llbitmap, KernelLikeNamesForRefsLinesAndWaitQueues) {
  LlbitmapHost t(ll_paged());
  const SyncDecls& d = t.bm().decls();
  ASSERT_EQ(d.refs().size(), 1u);
  EXPECT_EQ(d.refs()[0].name, "llbitmap_page_ctl->active");
  EXPECT_EQ(d.refs()[0].count, 32);  // 128 KiB of bitmap space, all pages allocated
  EXPECT_TRUE(d.locks().empty());    // no global lock
  std::vector<std::string> lines;
  for (const LineDecl& l : d.lines()) lines.push_back(l.name);
  EXPECT_EQ(lines,
            (std::vector<std::string>{"llbitmap_page_ctl->state", "llbitmap_page_ctl->expire",
                                      "llbitmap_page_ctl->dirty", "llbitmap->behind_writes"}));
  EXPECT_EQ(d.lines()[0].count, 32 * 64);  // one line per 64 state bytes
  EXPECT_EQ(d.wait_queues().front(), "llbitmap_page_ctl->wait");
  EXPECT_EQ(d.wait_queues().size(), 32u + 2);
  EXPECT_EQ(t.bm().get_stats().pages, 32u);
  EXPECT_EQ(t.bm().get_stats().missing_pages, 0u);
}

TEST(Llbitmap, SteadyStateDirtyWritesOnlyReadTheStateLine) {
  LlbitmapHost t;
  t.write(5);
  uint64_t infections = t.bm().counters().infections;
  uint64_t writes = t.host.io().writes();
  t.write(5);
  t.write(5);
  EXPECT_EQ(t.host.io().writes(), writes);  // unplug found nothing dirty
  EXPECT_EQ(t.bm().counters().infections, infections);
}

TEST(Llbitmap, NativeExecutorRunsTheWritePath) {
  MddevView mddev;
  std::unique_ptr<BitmapOps> bm = make_llbitmap(ll_paged(), &mddev);
  NativeSyncDomain domain(bm->decls(), 2);
  NativeExecutor x(domain, 0);
  for (Sector off : {Sector{0}, Sector{3072 * 128 - 8}}) {  // the second spans pages 0 and 1
    Task<void> s = bm->startwrite(x, off, 16);
    s.handle().resume();
    ASSERT_TRUE(s.done());
    Task<void> e = bm->endwrite(x, off, 16);
    e.handle().resume();
    ASSERT_TRUE(e.done());
  }
  auto& ll = static_cast<Llbitmap&>(*bm);
  EXPECT_EQ(ll.state(0), kLlDirty);
  EXPECT_EQ(ll.state(3071), kLlDirty);
  EXPECT_EQ(ll.state(3072), kLlDirty);
}

}  // namespace
}  // namespace mdsim
