// The run driver: builds the model a RunConfig describes, runs it, and renders the result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/run_config.h"

namespace mdsim {

struct RunOutput {
  nlohmann::ordered_json result;  // the result document (deterministic for a config)
  std::string lock_stat_text;     // /proc/lock_stat format
  uint64_t events = 0;            // simulator events fired (for the wall-time report)
  bool has_bitmap_image = false;  // the scenario ran a bitmap with an on-disk image
  std::vector<uint8_t> bitmap_image;  // as persisted at the end of the run or the crash point
};

RunOutput run_simulation(const RunConfig& config);

// "0.1.0" and the git id the binary was built from.
const char* mdsim_version();
const char* mdsim_build_id();

}  // namespace mdsim
