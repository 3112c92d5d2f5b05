// The "array" section of a run configuration -> ArrayConfig (raid/array_config.h), strictly:
// every key type- and range-checked, unknown keys rejected, the level/member/layout/chunk
// combination checked the way md's setup_conf/setup_geo would (raid/raid5_layout.h,
// raid/raid10_layout.h), messages naming the file and JSON path.
//
//   "array": {"level": "raid5", "raid_disks": 5, "layout": "left-symmetric",
//             "chunk_bytes": 524288, "bitmap": "bitmap", "bitmap_chunk_bytes": 67108864,
//             "daemon_sleep_ns": 5000000000, "hooks": "6.14",
//             "write_mostly": [1], "max_write_behind": 256,
//             "stripe_cache_size": 256, "group_thread_cnt": 0, "rmw_level": 1,
//             "data_offset_sectors": 262144, "member_sectors": 0,
//             "resync": {"kind": "resync", "dirty_fraction": 0.05, "speed_min_kib": 1000,
//                        "speed_max_kib": 200000, "timeline_interval_ms": 1000,
//                        "stop_with_jobs": false}}
//
// "resync" (raid1 only; docs/RESYNC.md): "kind" "none" (default), "resync" (after an unclean
// stop: with a bitmap the dirty_fraction of its chunks, drawn from the run's seed; without
// one the whole array) or "recovery" (onto "recovery_member": whole for a new spare, only the
// bitmap's dirty_fraction with "re_add" and a bitmap). Keys that do not apply to the kind or
// bitmap are range-checked and have no effect.
//
// "hooks": "6.14" (md core calls the bitmap once per bio, Linux 6.14 and later) or "pre-6.14"
// (the personalities call it per r1bio/r10bio/stripe). "layout" "" means the level's default.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/json_reader.h"
#include "raid/array_config.h"
#include "raid/disk.h"

namespace mdsim {

// Reads `o` into `a`. `member_capacity_sectors` is the members' size, for the checks that
// need it (data_offset, member_sectors, far layouts).
void read_array_config(JsonObject o, ArrayConfig& a, Sector member_capacity_sectors);

nlohmann::ordered_json to_json(const ArrayConfig& a);

const std::vector<std::string>& array_levels();

}  // namespace mdsim
