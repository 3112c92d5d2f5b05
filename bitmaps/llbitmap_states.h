// llbitmap's per-chunk state machine (drivers/md/md-llbitmap.c, Linux 6.18): one state byte per
// chunk, eight actions, the kernel's `state_machine[][]` table and the overrides
// llbitmap_state_machine() applies on top of it (degraded arrays, raid456's lazy parity, invalid
// bytes). Pure functions: the variant (llbitmap.h) applies them to its pages.
//
// The table (x = BitNone: nothing is written), in the kernel comment's two halves:
//
//   |           | Startwrite | Startsync | Endsync | Abortsync |
//   | Unwritten | Dirty      | x         | x       | x         |
//   | Clean     | Dirty      | x         | x       | x         |
//   | Dirty     | x          | x         | x       | x         |
//   | NeedSync  | x          | Syncing   | x       | x         |
//   | Syncing   | x          | Syncing   | Dirty   | NeedSync  |
//
//   |           | Reload   | Daemon | Discard   | Stale    |
//   | Unwritten | x        | x      | x         | x        |
//   | Clean     | x        | x      | Unwritten | NeedSync |
//   | Dirty     | NeedSync | Clean  | Unwritten | NeedSync |
//   | NeedSync  | x        | x      | Unwritten | x        |
//   | Syncing   | NeedSync | x      | Unwritten | NeedSync |
//
// Overrides (llbitmap_state_machine): degraded: a Startwrite that gives Dirty gives NeedSync,
// and Dirty + Startsync gives Syncing (dirty data is resynced too); not degraded and raid456:
// Unwritten + Startwrite gives NeedSync (initial parity is built lazily, on first write); a byte
// that is not a valid state gives NeedSync whatever the action ("forcing resync").
//
// Later kernels (after 6.18) add BitNeedSyncUnwritten, BitSyncingUnwritten, BitCleanUnwritten
// and the ProactiveSync/ClearUnwritten actions for raid456; they are not modelled.
#pragma once

#include <cstdint>

namespace mdsim {

// enum llbitmap_state.
enum LlState : uint8_t {
  kLlUnwritten = 0,  // BitUnwritten: no valid data (a new array)
  kLlClean = 1,      // BitClean: consistent
  kLlDirty = 2,      // BitDirty: consistent once in-flight writes finish
  kLlNeedSync = 3,   // BitNeedSync: must be resynced
  kLlSyncing = 4,    // BitSyncing: being resynced
};
inline constexpr int kLlStateCount = 5;   // BitStateCount
inline constexpr uint8_t kLlNone = 0xff;  // BitNone: the action does not change the state

// enum llbitmap_action.
enum class LlAction : uint8_t {
  kStartwrite,  // a write starts (the only action from the I/O fast path)
  kStartsync,   // resync/recovery of the chunk starts
  kEndsync,     // a full resync finished
  kAbortsync,   // resync stopped
  kReload,      // the array is reassembled (bitmap loaded)
  kDaemon,      // the daemon clears dirty bits
  kDiscard,     // data discarded
  kStale,       // the bitmap is older than the array
};
inline constexpr int kLlActionCount = 8;

// The raw table entry: state_machine[c][a] (kLlNone for "x"); c must be a valid state.
uint8_t llbitmap_table(uint8_t c, LlAction a);

// What llbitmap_state_machine writes for a chunk in state `c` (any byte) under action `a`:
// the table plus the overrides above; kLlNone when nothing is written.
uint8_t llbitmap_next_state(uint8_t c, LlAction a, bool degraded, bool raid456);

// Whether a chunk persisted in state `s` is resynced after a crash: Reload turns Dirty and
// Syncing into NeedSync, NeedSync stays, invalid bytes are forced to NeedSync. This is the byte
// alone: the reload's infection of a block with two dirty bytes (Llbitmap::load_image) can
// resync Clean/Unwritten neighbours too, never fewer chunks.
bool llbitmap_needs_resync_after_reload(uint8_t s);

const char* llbitmap_state_name(uint8_t s);  // "Unwritten", ..., "invalid"
const char* llbitmap_action_name(LlAction a);

}  // namespace mdsim
