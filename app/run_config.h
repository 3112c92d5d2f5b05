// RunConfig: one JSON document describes one simulation run. Every field has an in-class
// default; unknown keys, wrong types and out-of-range values are errors naming the JSON path.
//
//   {"seed": 1, "scenario": "lock_loop",
//    "machine": {"profile": "default", "cores": 16, "sockets": 2, "cross_socket_ns": 130},
//    "lock_loop": {"lock": "spinlock", "threads": 0, "hold_ns": 100, "think_ns": 1000,
//                  "think": "exponential", "duration_ns": 2000000, "write_percent": 10},
//    "bitmap_loop": {"variant": "bitmap", "threads": 0, "iodepth": 1, "pattern": "rand",
//                    "bs_sectors": 8, "sync_size_sectors": 2147483648,
//                    "chunk_bytes": 67108864, "io_ns": 20000, ...},
//    "disks": {"profile": "nvme-980pro-1tb", ...overrides (app/disk_profile_config.h)},
//    "array": {"level": "raid1", "raid_disks": 2, ... (app/array_config.h)},
//    "fio": {"job_file": "jobs/randwrite.fio", "submit_ns": 2000, "complete_ns": 1000}}
//
// Only the section of the chosen scenario matters; the others keep their defaults.
// machine.profile is a built-in profile name (profiles/*.json, compiled in) or a path to a
// profile JSON file; the other machine keys override the profile's values. "cores" is the
// total core count; sockets defaults to the profile's (capped at cores) and must divide it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/json_reader.h"
#include "bitmaps/bitmap_loop.h"
#include "raid/array_config.h"
#include "raid/disk_profile.h"
#include "sim/lock_loop.h"
#include "sim/machine_profile.h"

namespace mdsim {

struct RunConfig {
  uint64_t seed = 1;
  std::string scenario = "lock_loop";
  MachineProfile machine;  // resolved: profile plus overrides
  std::string machine_profile_source = "default";
  LockLoopParams lock_loop;
  BitmapLoopParams bitmap_loop;
  // Scenario "fio": fio jobs on an md array of identical member disks.
  DiskProfile disks;  // resolved: profile plus overrides
  std::string disk_profile_source = "null";
  ArrayConfig array;
  struct Fio {
    std::string job_file;        // resolved against the config file's directory
    Time submit_ns = 2000;       // fio + syscall CPU per I/O on the job's core
    Time complete_ns = 1000;     // reaping CPU per I/O
  } fio;
};

const std::vector<std::string>& scenario_names();

// Parses a run configuration. `file` names the source in error messages.
RunConfig parse_run_config(const nlohmann::json& j, const std::string& file);

// A machine profile by built-in name or file path (profile JSON schema as profiles/*.json).
MachineProfile load_machine_profile(const std::string& name_or_path, const std::string& file,
                                    const std::string& path);

// The fully resolved configuration, which parses back to the same RunConfig.
nlohmann::ordered_json to_json(const RunConfig& c);
nlohmann::ordered_json to_json(const MachineProfile& p);

}  // namespace mdsim
