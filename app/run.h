// The run driver: builds the model a RunConfig describes, runs it, and renders the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/run_config.h"
#include "workloads/fio_result.h"

namespace mdsim {

struct RunOutput {
  // The result document (deterministic for a config): mdsim's JSON {"mdsim": ...}, or for the
  // fio scenario fio's json+ with the "mdsim" section.
  nlohmann::ordered_json result;
  nlohmann::ordered_json mdsim;     // the "mdsim" section of `result`
  std::optional<FioRunResult> fio;  // scenario fio: the run, for app/output_format.h
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
