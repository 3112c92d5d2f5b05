// The conformance suite every registered bitmap variant must pass: the write-intent invariant,
// bits clearing after writes end, degraded writes staying dirty, resync needed/skip after a
// crash, write-behind accounting, and get_stats.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "bitmaps/bitmap_testing.h"

namespace mdsim {
namespace {

using testing::BitmapHost;

// Properties a registered variant is known to break because it models the code as written
// (the flaw is the finding, documented in the variant's header). The suite then asserts the
// flaw is still there, so a change that hides it fails here too.
struct KnownFlaw {
  const char* variant;
  const char* test;
  const char* why;
};
constexpr KnownFlaw kKnownFlaws[] = {
    {"scalaraid", "BitsClearAfterWritesEndAndDaemonPeriodsPass",
     "the RFC's daemon scan reads counter 0 for every chunk and clears chunk 1's bit instead"},
    {"scalaraid", "AfterACrashDirtyChunksNeedResyncAndCleanOnesDoNot",
     "every loaded bit and chunk-aligned resync offset lands on counter 0"},
};

const char* known_flaw(const BitmapVariant& v) {
  const char* test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string_view t(test);
  t = t.substr(0, t.find('/'));
  for (const KnownFlaw& f : kKnownFlaws) {
    if (std::string_view(v.name) == f.variant && t == f.test) return f.why;
  }
  return nullptr;
}

BitmapGeometry geometry() {
  BitmapGeometry g;
  g.sync_size = Sector{1} << 24;  // 8 GiB per device
  g.chunk_bytes = 64 << 20;       // 128 chunks
  return g;
}

class Conformance : public ::testing::TestWithParam<const BitmapVariant*> {
 protected:
  BitmapHost host{*GetParam(), geometry()};
  const Sector chunk = geometry().chunk_sectors();
};

TEST_P(Conformance, StartedWriteIsDirtyOnDiskAfterUnplug) {
  // The write-intent invariant: once unplug returns (md then submits the data), the chunks
  // the write touches are dirty in the persisted bitmap.
  Sector off = 3 * chunk + chunk - 8;  // straddles chunks 3 and 4
  host.write_start(off, 16);
  host.unplug();
  EXPECT_TRUE(host.bitmap().persisted_dirty(3));
  EXPECT_TRUE(host.bitmap().persisted_dirty(4));
}

TEST_P(Conformance, BitsClearAfterWritesEndAndDaemonPeriodsPass) {
  if (!host.bitmap().clears_bits()) GTEST_SKIP() << "variant never clears bits";
  host.write_start(5 * chunk, 8);
  host.unplug();
  host.write_end(5 * chunk, 8);
  host.daemon_periods(4);
  if (const char* why = known_flaw(*GetParam())) {
    EXPECT_TRUE(host.bitmap().persisted_dirty(5)) << "known flaw gone? " << why;
    return;
  }
  // llbitmap's daemon cleans in memory only; the Clean state reaches disk with the next flush.
  if (host.bitmap().clears_on_disk_lazily()) {
    EXPECT_TRUE(host.bitmap().persisted_dirty(5));
    host.flush();
  }
  EXPECT_FALSE(host.bitmap().persisted_dirty(5));
  EXPECT_FALSE(host.bitmap().persisted_dirty(6));
}

TEST_P(Conformance, InFlightWriteStaysDirtyThroughDaemonPeriods) {
  host.write_start(7 * chunk, 8);
  host.unplug();
  host.daemon_periods(4);
  EXPECT_TRUE(host.bitmap().persisted_dirty(7));
}

TEST_P(Conformance, DegradedWritesStayDirty) {
  host.mddev().degraded = true;
  host.write_start(9 * chunk, 8);
  host.unplug();
  host.write_end(9 * chunk, 8);
  host.daemon_periods(4);
  EXPECT_TRUE(host.bitmap().persisted_dirty(9));
}

TEST_P(Conformance, AfterACrashDirtyChunksNeedResyncAndCleanOnesDoNot) {
  host.write_start(11 * chunk, 8);
  host.unplug();
  std::vector<uint8_t> image = host.bitmap().disk_image();  // crash here
  BitmapHost rebooted(*GetParam(), geometry());
  rebooted.bitmap().load_image(image);
  Sector blocks = 0;
  EXPECT_TRUE(rebooted.start_sync(11 * chunk, &blocks));
  EXPECT_GT(blocks, 0u);
  if (const char* why = known_flaw(*GetParam())) {
    EXPECT_TRUE(rebooted.start_sync(20 * chunk, &blocks)) << "known flaw gone? " << why;
  } else if (host.bitmap().clears_bits()) {
    EXPECT_FALSE(rebooted.start_sync(20 * chunk, &blocks));
    EXPECT_GT(blocks, 0u);
  }
}

TEST_P(Conformance, WriteBehindIsCountedAndWaitedFor) {
  if (!host.bitmap().enabled()) GTEST_SKIP() << "write-behind needs a bitmap";
  host.run([&](SyncExecutor& x) -> Task<void> {
    co_await host.bitmap().start_behind_write(x);
    co_await host.bitmap().start_behind_write(x);
  });
  EXPECT_EQ(host.bitmap().get_stats().behind_writes, 2);
  bool waited = false;
  host.start([&](SyncExecutor& x) -> Task<void> {
    co_await host.bitmap().wait_behind_writes(x);
    waited = true;
  }, 1);
  host.settle();
  EXPECT_FALSE(waited);
  host.run([&](SyncExecutor& x) -> Task<void> {
    co_await host.bitmap().end_behind_write(x);
    co_await host.bitmap().end_behind_write(x);
  });
  host.settle();
  EXPECT_TRUE(waited);
  EXPECT_EQ(host.bitmap().get_stats().behind_writes, 0);
}

TEST_P(Conformance, StatsDescribeTheGeometry) {
  EXPECT_EQ(host.bitmap().get_stats().sync_size, geometry().sync_size);
}

// Records the kind of every step an operation takes, running them through `inner`'s
// process path (no shortcut: the shortcut's callbacks expect the executor that booked them).
class StepRecorder : public SyncExecutor {
 public:
  explicit StepRecorder(SyncExecutor& inner) : inner_(&inner) {}
  bool run_inline(SyncStep& s) override {
    kinds.push_back(s.kind);
    return inner_->run_inline(s);
  }
  Task<void> run(SyncStep& s) override { return inner_->run(s); }
  std::vector<SyncStep::Kind> kinds;

 private:
  SyncExecutor* inner_;
};

TEST_P(Conformance, UnplugBeginsWithAComputeStep) {
  // md core starts unplug without settling the caller's charged work (BitmapOps::unplug):
  // that is only the same as settling first if the first step is plain CPU work.
  for (bool dirty : {false, true}) {
    if (dirty) host.write_start(5 * chunk, 8);
    std::vector<SyncStep::Kind> kinds;
    host.run([&](SyncExecutor& x) -> Task<void> {
      StepRecorder r(x);
      co_await host.bitmap().unplug(r, host.io(), true);
      kinds = r.kinds;
    });
    if (!kinds.empty()) {
      EXPECT_EQ(kinds.front(), SyncStep::kCompute) << "dirty " << dirty;
    }
    if (dirty && host.bitmap().enabled()) {
      EXPECT_FALSE(kinds.empty());
    }
  }
}

std::vector<const BitmapVariant*> all_variants() {
  std::vector<const BitmapVariant*> v;
  for (const BitmapVariant& b : bitmap_variants()) v.push_back(&b);
  return v;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, Conformance, ::testing::ValuesIn(all_variants()),
                         [](const auto& info) { return std::string(info.param->name); });

}  // namespace
}  // namespace mdsim
