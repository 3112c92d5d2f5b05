// llbitmap's state machine as pure functions: the full 6.18 table (every state x action), the
// degraded and raid456 overrides, invalid bytes, and what survives a reload.
#include "bitmaps/llbitmap_states.h"

#include <gtest/gtest.h>

#include <string>

namespace mdsim {
namespace {

constexpr LlAction kActions[kLlActionCount] = {
    LlAction::kStartwrite, LlAction::kStartsync, LlAction::kEndsync, LlAction::kAbortsync,
    LlAction::kReload,     LlAction::kDaemon,    LlAction::kDiscard, LlAction::kStale};

// The table from the comment at the top of md-llbitmap.c (6.18), "-" for x.
const char* const kKernelTable[kLlStateCount][kLlActionCount] = {
    // Startwrite, Startsync, Endsync, Abortsync, Reload, Daemon, Discard, Stale
    {"Dirty", "-", "-", "-", "-", "-", "-", "-"},                                     // Unwritten
    {"Dirty", "-", "-", "-", "-", "-", "Unwritten", "NeedSync"},                      // Clean
    {"-", "-", "-", "-", "NeedSync", "Clean", "Unwritten", "NeedSync"},               // Dirty
    {"-", "Syncing", "-", "-", "-", "-", "Unwritten", "-"},                           // NeedSync
    {"-", "Syncing", "Dirty", "NeedSync", "NeedSync", "-", "Unwritten", "NeedSync"},  // Syncing
};

std::string name(uint8_t s) { return s == kLlNone ? "-" : llbitmap_state_name(s); }

std::string where(int s, int a, const char* mode) {
  return std::string(mode) + ": " + llbitmap_state_name(static_cast<uint8_t>(s)) + " x " +
         llbitmap_action_name(kActions[a]);
}

TEST(LlbitmapStates, EnumValuesAreTheKernels) {
  EXPECT_EQ(kLlUnwritten, 0);
  EXPECT_EQ(kLlClean, 1);
  EXPECT_EQ(kLlDirty, 2);
  EXPECT_EQ(kLlNeedSync, 3);
  EXPECT_EQ(kLlSyncing, 4);
  EXPECT_EQ(kLlNone, 0xff);
}

TEST(LlbitmapStates, FullTableMatchesTheKernel) {
  for (int s = 0; s < kLlStateCount; ++s) {
    for (int a = 0; a < kLlActionCount; ++a) {
      uint8_t c = static_cast<uint8_t>(s);
      EXPECT_EQ(name(llbitmap_table(c, kActions[a])), kKernelTable[s][a]) << where(s, a, "table");
      // Not degraded, not raid456: no override applies.
      EXPECT_EQ(name(llbitmap_next_state(c, kActions[a], false, false)), kKernelTable[s][a])
          << where(s, a, "plain");
    }
  }
}

TEST(LlbitmapStates, DegradedOverridesStartwriteAndDirtyStartsync) {
  for (int s = 0; s < kLlStateCount; ++s) {
    for (int a = 0; a < kLlActionCount; ++a) {
      std::string want = kKernelTable[s][a];
      if (kActions[a] == LlAction::kStartwrite && want == "Dirty") want = "NeedSync";
      if (s == kLlDirty && kActions[a] == LlAction::kStartsync) want = "Syncing";
      for (bool raid456 : {false, true}) {
        EXPECT_EQ(name(llbitmap_next_state(static_cast<uint8_t>(s), kActions[a], true, raid456)),
                  want)
            << where(s, a, raid456 ? "degraded raid456" : "degraded");
      }
    }
  }
}

TEST(LlbitmapStates, Raid456FirstWriteNeedsSyncOnlyFromUnwritten) {
  for (int s = 0; s < kLlStateCount; ++s) {
    for (int a = 0; a < kLlActionCount; ++a) {
      std::string want = kKernelTable[s][a];
      if (s == kLlUnwritten && kActions[a] == LlAction::kStartwrite) want = "NeedSync";
      EXPECT_EQ(name(llbitmap_next_state(static_cast<uint8_t>(s), kActions[a], false, true)), want)
          << where(s, a, "raid456");
    }
  }
  // A cover write of a Clean chunk on raid456 is an ordinary Dirty.
  EXPECT_EQ(llbitmap_next_state(kLlClean, LlAction::kStartwrite, false, true), kLlDirty);
}

TEST(LlbitmapStates, InvalidBytesForceResyncWhateverTheAction) {
  for (uint8_t bad : {uint8_t{5}, uint8_t{0x7f}, uint8_t{0xff}}) {
    for (LlAction a : kActions) {
      EXPECT_EQ(llbitmap_next_state(bad, a, false, false), kLlNeedSync);
      EXPECT_EQ(llbitmap_next_state(bad, a, true, true), kLlNeedSync);
    }
    EXPECT_EQ(llbitmap_table(bad, LlAction::kStartwrite), kLlNone);
    EXPECT_STREQ(llbitmap_state_name(bad), bad == kLlNone ? "None" : "invalid");
  }
}

TEST(LlbitmapStates, WhatAReloadResyncs) {
  EXPECT_FALSE(llbitmap_needs_resync_after_reload(kLlUnwritten));
  EXPECT_FALSE(llbitmap_needs_resync_after_reload(kLlClean));
  EXPECT_TRUE(llbitmap_needs_resync_after_reload(kLlDirty));
  EXPECT_TRUE(llbitmap_needs_resync_after_reload(kLlNeedSync));
  EXPECT_TRUE(llbitmap_needs_resync_after_reload(kLlSyncing));
  EXPECT_TRUE(llbitmap_needs_resync_after_reload(9));
}

}  // namespace
}  // namespace mdsim
