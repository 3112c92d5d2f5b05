// llbitmap's state machine: see llbitmap_states.h.
#include "bitmaps/llbitmap_states.h"

namespace mdsim {
namespace {

constexpr uint8_t x = kLlNone;

// state_machine[BitStateCount][BitmapActionCount] of md-llbitmap.c (6.18), columns in
// LlAction order: Startwrite, Startsync, Endsync, Abortsync, Reload, Daemon, Discard, Stale.
constexpr uint8_t kTable[kLlStateCount][kLlActionCount] = {
    /* Unwritten */ {kLlDirty, x, x, x, x, x, x, x},
    /* Clean */ {kLlDirty, x, x, x, x, x, kLlUnwritten, kLlNeedSync},
    /* Dirty */ {x, x, x, x, kLlNeedSync, kLlClean, kLlUnwritten, kLlNeedSync},
    /* NeedSync */ {x, kLlSyncing, x, x, x, x, kLlUnwritten, x},
    /* Syncing */ {x, kLlSyncing, kLlDirty, kLlNeedSync, kLlNeedSync, x, kLlUnwritten, kLlNeedSync},
};

}  // namespace

uint8_t llbitmap_table(uint8_t c, LlAction a) {
  if (c >= kLlStateCount) return kLlNone;
  return kTable[c][static_cast<int>(a)];
}

uint8_t llbitmap_next_state(uint8_t c, LlAction a, bool degraded, bool raid456) {
  // An invalid byte: "forcing resync" (goto write_bitmap, past the table).
  uint8_t state = c >= kLlStateCount ? uint8_t{kLlNeedSync} : kTable[c][static_cast<int>(a)];
  if (degraded) {
    // For a degraded array, new data needs sync, and dirty data is resynced as well.
    if (state == kLlDirty && a == LlAction::kStartwrite) {
      state = kLlNeedSync;
    } else if (c == kLlDirty && a == LlAction::kStartsync) {
      state = kLlSyncing;
    }
  } else if (c == kLlUnwritten && state == kLlDirty && a == LlAction::kStartwrite && raid456) {
    state = kLlNeedSync;  // raid456: delay the initial recovery to the first write
  }
  return state;
}

bool llbitmap_needs_resync_after_reload(uint8_t s) {
  uint8_t after = llbitmap_next_state(s, LlAction::kReload, false, false);
  uint8_t final_state = after == kLlNone ? s : after;
  return final_state == kLlNeedSync || final_state == kLlSyncing;
}

const char* llbitmap_state_name(uint8_t s) {
  switch (s) {
    case kLlUnwritten:
      return "Unwritten";
    case kLlClean:
      return "Clean";
    case kLlDirty:
      return "Dirty";
    case kLlNeedSync:
      return "NeedSync";
    case kLlSyncing:
      return "Syncing";
    case kLlNone:
      return "None";
    default:
      return "invalid";
  }
}

const char* llbitmap_action_name(LlAction a) {
  static const char* const kNames[kLlActionCount] = {
      "Startwrite", "Startsync", "Endsync", "Abortsync", "Reload", "Daemon", "Discard", "Stale"};
  return kNames[static_cast<int>(a)];
}

}  // namespace mdsim
