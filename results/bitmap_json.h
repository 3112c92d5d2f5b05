// JSON renderings of a bitmap's statistics for the result file's "mdsim" section.
#pragma once

#include <nlohmann/json.hpp>

#include "bitmaps/bitmap_ops.h"

namespace mdsim {

// md_bitmap_stats' fields under their kernel names, plus mdsim's page_writes/dirty_chunks.
nlohmann::ordered_json bitmap_stats_json(const BitmapStats& s);

}  // namespace mdsim
