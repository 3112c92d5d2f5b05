// md's sync thread: the speed limits (md_do_sync's throttle, is_mddev_idle), the timeline,
// interruption and determinism. Small raid1 arrays on null members.
#include "raid/md_resync.h"

#include <gtest/gtest.h>

#include "raid/md_testing.h"
#include "raid/raid1.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

using testing::resync_array;
using testing::run_resync;

using Rig = testing::NullArrayRig;

double seconds(Time t) { return to_seconds(t); }

// speed_max: above it md_do_sync sleeps 500 ms at a time. currspeed divides the KiB done since
// the mark (the start, for the first 30 s) by (whole seconds since it + 1), so by time t at
// most speed_max * (floor(t) + 1) + slack KiB are done, slack being the 128 KiB window issued
// between two checks and the r1bios in flight (at most 32 of 64 KiB): N KiB cannot be done
// before (N - slack) / speed_max - 1 s. Once below the limit it never sleeps longer than
// 504 ms, so it cannot end later than N / speed_max + 0.504 s (+ the I/O time of the last
// window, microseconds here).
TEST(MdResync, SpeedMaxCapsTheRate) {
  ArrayConfig cfg = resync_array(ResyncKind::kResync, "none", 2, Sector{1} << 17);  // 64 MiB
  cfg.resync.speed_max_kib = 8000;
  cfg.resync.speed_min_kib = 1000;
  cfg.resync.timeline_interval = 250 * kMillisecond;
  Rig r(cfg, 20 * kMicrosecond);
  const ResyncTimeline& t = run_resync(*r.md);
  const double kib = 65536, speed = 8000, slack_kib = 128 + 32 * 64;
  const double took = seconds(t.end - t.start);
  EXPECT_GE(took, (kib - slack_kib) / speed - 1.0);
  EXPECT_LE(took, kib / speed + 0.51);
  EXPECT_GT(t.max_sleeps, 0u);
  // Every sample respects the bound (done counted in KiB).
  for (const ResyncSample& s : t.samples) {
    const double secs = seconds(s.time - t.start);
    EXPECT_LE(s.done_sectors / 2.0, speed * (static_cast<int64_t>(secs) + 1) + slack_kib)
        << "at " << secs << " s";
  }
  // Samples every 250 ms from the start, the last one at the end.
  ASSERT_GE(t.samples.size(), 3u);
  for (size_t i = 0; i + 1 < t.samples.size(); ++i) {
    EXPECT_EQ(t.samples[i].time, t.start + static_cast<Time>(i) * 250 * kMillisecond);
    EXPECT_LE(t.samples[i].done_sectors, t.samples[i + 1].done_sectors);
  }
  EXPECT_EQ(t.samples.back().time, t.end);
  EXPECT_EQ(t.samples.back().done_sectors, Sector{1} << 17);
}

// Without other I/O the sync runs at speed_max. With host writes going on, is_mddev_idle
// reports the array busy, and above speed_min md_do_sync waits for its I/O in flight after
// every 128 KiB window: with 2 ms members that alone would hold it to 128 KiB / (2 ms read +
// 2 ms write) = 32 MB/s, below speed_min; below speed_min it does not wait (and runs up to 32
// r1bios deep). So under load it tracks speed_min: with md's mark at the start (the run is
// shorter than 30 s), done(t) ~ speed_min * (floor(t) + 1), i.e. it ends at the earliest
// 1 s before N / speed_min, an average of at most speed_min / (1 - speed_min / N) (+5% for
// the windows and r1bios in flight); falling behind, it catches up at full depth, so the
// average stays above 0.9 * speed_min.
TEST(MdResync, HostWritesSlowTheSyncToAboutSpeedMin) {
  auto run = [](bool load) {
    ArrayConfig cfg = resync_array(ResyncKind::kResync, "none", 2, Sector{1} << 20);  // 512 MiB
    cfg.resync.speed_min_kib = 50000;
    cfg.resync.speed_max_kib = 200000;
    Rig r(cfg, 2 * kMillisecond);
    std::unique_ptr<testing::ArrayLoadDriver> d;
    if (load) {
      testing::ArrayLoad l{.op = DiskOp::kWrite, .bs_sectors = 32, .iodepth = 4,
                           .duration = 15 * kSecond};  // the sync takes ~10 s
      d = std::make_unique<testing::ArrayLoadDriver>(*r.md, l);
    }
    ResyncTimeline t = run_resync(*r.md);
    return t;
  };
  const ResyncTimeline idle = run(false), busy = run(true);
  const double kib = 512 * 1024;
  const double idle_rate = kib / seconds(idle.end - idle.start);
  const double busy_rate = kib / seconds(busy.end - busy.start);
  EXPECT_GT(idle_rate, 200000 * 0.9);  // ~speed_max (see SpeedMaxCapsTheRate)
  EXPECT_EQ(idle.idle_waits, 0u);
  EXPECT_GT(busy.idle_waits, 0u);
  EXPECT_GT(busy_rate, 50000 * 0.9);
  EXPECT_LT(busy_rate, 50000 / (1 - 50000 / kib) * 1.05);
}

TEST(MdResync, StoppingTheArrayInterruptsTheSyncAtACheckpoint) {
  ArrayConfig cfg = resync_array(ResyncKind::kResync, "none", 2, Sector{1} << 17);
  cfg.resync.speed_max_kib = 4000;
  cfg.resync.stop_with_jobs = true;
  Rig r(cfg, 20 * kMicrosecond);
  r.md->start();
  r.sim.run_until(3 * kSecond);
  r.md->stop();
  r.sim.run();
  const ResyncTimeline& t = r.md->resync()->timeline();
  EXPECT_TRUE(t.interrupted);
  ASSERT_GE(t.end, 3 * kSecond);
  EXPECT_LT(t.end, 3 * kSecond + 510 * kMillisecond);  // at most one msleep(500) later
  EXPECT_LT(t.done_sectors, Sector{1} << 17);
  // Everything issued completed; the array resumes from where it got to.
  EXPECT_EQ(r.md->recovery_cp(), r.md->resync()->curr_resync());
  EXPECT_EQ(t.done_sectors, r.md->resync()->curr_resync());
}

TEST(MdResync, SameSeedSameTimeline) {
  auto once = [](uint64_t seed) {
    ArrayConfig cfg = resync_array(ResyncKind::kResync, "bitmap", 2, Sector{1} << 18);
    cfg.bitmap_chunk_bytes = 1 << 20;
    cfg.resync.dirty_fraction = 0.5;
    cfg.resync.speed_max_kib = 20000;
    cfg.resync.timeline_interval = 100 * kMillisecond;
    cfg.resync.seed = seed;
    Rig r(cfg, 50 * kMicrosecond);
    testing::ArrayLoad l{.op = DiskOp::kWrite, .iodepth = 2, .duration = 500 * kMillisecond,
                         .seed = seed};
    testing::ArrayLoadDriver d(*r.md, l);
    const ResyncTimeline& t = run_resync(*r.md);
    std::vector<std::vector<int64_t>> v;
    for (const ResyncSample& s : t.samples) {
      v.push_back({s.time, static_cast<int64_t>(s.done_sectors),
                   static_cast<int64_t>(s.position_sectors), s.speed_kib, s.interval_kib});
    }
    v.push_back({t.end, static_cast<int64_t>(t.done_sectors)});
    return v;
  };
  const auto a = once(5);
  EXPECT_GT(a.size(), 5u);
  EXPECT_EQ(a, once(5));
  EXPECT_NE(a, once(6));
}

TEST(MdResync, TheSyncRunsOnItsOwnCoreAsMdResyncWork) {
  Rig r(resync_array(ResyncKind::kResync, "none", 2, Sector{1} << 15), 20 * kMicrosecond);
  run_resync(*r.md);
  const KindId k = r.md->kinds().resync;
  EXPECT_EQ(r.md->resync()->core(), 3);
  EXPECT_GT(r.m.cpu(3).time_in(r.md->kinds().pers), 0);  // sync_request's r1bio setup
  EXPECT_EQ(r.m.cpu(1).time_in(k), 0);
  EXPECT_GT(r.m.cpu(0).time_in(r.md->kinds().raid_thread), 0);  // raid1d: the writes
}

}  // namespace
}  // namespace mdsim
