// ArrayConfig: what `mdadm --create` and sysfs fix about an array — level, members, layout,
// chunk, the bitmap and its tuning, and the personality knobs — as a plain struct with in-class
// defaults (mdadm 4.2 / Linux 6.12 defaults where md has one). The app layer maps the JSON
// config onto it; raid/ validates what only it can (layout names, member counts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.h"

namespace mdsim {

// Where md calls bitmap startwrite/endwrite (see docs/ARCHITECTURE.md):
//   kPerPersonality: before Linux 6.14, from the personalities — once per r1bio/r10bio
//     (raid1_write_request / close_write) and once per stripe_head for each device written
//     (raid5 __add_stripe_bio / handle_stripe_clean_event);
//   kMdCore: 6.14 and later (commit cd5fc653 "md/md-bitmap: move bitmap_{start, end}write to
//     md upper layer"), once per bio from md_clone_bio / md_end_clone_io, the range mapped by
//     pers->bitmap_sector (raid5: to the chunks on the members); md_clone_bio runs from
//     md_account_bio, so raid10, which accounts each piece it splits off, counts per piece.
enum class HookPlacement { kPerPersonality, kMdCore };

// What md's sync thread does after the array starts (see raid/md_resync.h):
//   kNone: nothing (a clean array);
//   kResync: resync after an unclean stop (MD_RECOVERY_SYNC): with a bitmap only the chunks
//     the bitmap left dirty, without one the whole array;
//   kRecovery: recovery onto a replaced member (MD_RECOVERY_RECOVER): read from the in-sync
//     members, write the new one; a fresh spare is recovered whole (raid1 conf->fullsync), a
//     re-added member with a bitmap only where the bitmap is dirty.
enum class ResyncKind { kNone, kResync, kRecovery };

struct ResyncConfig {
  ResyncKind kind = ResyncKind::kNone;
  // Share of the bitmap's chunks the unclean stop (kResync) or the member's absence
  // (kRecovery with re_add) left dirty; which ones is drawn from `seed`.
  double dirty_fraction = 1.0;
  int recovery_member = 0;  // kRecovery: the member being rebuilt
  bool re_add = false;      // kRecovery: a re-added member (bitmap-based recovery)
  // sync_speed_min / sync_speed_max in KiB/s (md's defaults: speed_limit_min/max sysctls).
  int64_t speed_min_kib = 1000;
  int64_t speed_max_kib = 200000;
  Time timeline_interval = 1 * kSecond;  // between timeline samples
  // Whether stopping the array (the workload's end) interrupts the sync (MD_RECOVERY_INTR,
  // as mdadm --stop), or the sync runs to its end after the workload.
  bool stop_with_jobs = false;
  uint64_t seed = 1;  // not a config key: the app passes the run's seed
};

struct ArrayConfig {
  std::string level = "raid1";  // raid1, raid10, raid4, raid5, raid6
  int raid_disks = 2;
  // raid4/5/6: an md algorithm name (mdadm's, e.g. "left-symmetric", the raid5 default);
  // raid10: "n2" (default), "f2", "o2", ...; raid1: unused.
  std::string layout;
  uint64_t chunk_bytes = 512 * 1024;  // mdadm's default chunk
  // Member data start (mdadm 1.2 metadata on a large device reserves 128 MiB) and usable
  // member size (0: the disk's capacity less data_offset).
  uint64_t data_offset_sectors = 262144;
  uint64_t member_sectors = 0;

  std::string bitmap = "bitmap";  // a bitmap registry name; "none" for no bitmap
  uint64_t bitmap_chunk_bytes = uint64_t{64} << 20;
  Time daemon_sleep = 5 * kSecond;
  HookPlacement hooks = HookPlacement::kMdCore;
  // sysfs fail_last_dev (off by default): whether raid1/raid10 mark the last working copy
  // Faulty on an error (the array is failed, MD_BROKEN, either way).
  bool fail_last_dev = false;

  // raid1.
  std::vector<int> write_mostly;  // member indexes with the WriteMostly flag
  int max_write_behind = 0;       // --write-behind; needs a bitmap and write-mostly members
  // raid4/5/6.
  int stripe_cache_size = 256;  // stripe_heads (sysfs stripe_cache_size)
  int group_thread_cnt = 0;     // raid5 worker threads besides raid5d
  int rmw_level = 1;            // PARITY_DISABLE_RMW 0, PARITY_ENABLE_RMW 1, PARITY_PREFER_RMW 2

  ResyncConfig resync;  // raid1 only so far
};

}  // namespace mdsim
