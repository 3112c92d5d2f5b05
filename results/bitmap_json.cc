// Bitmap statistics as JSON: see bitmap_json.h.
#include "results/bitmap_json.h"

namespace mdsim {

nlohmann::ordered_json bitmap_stats_json(const BitmapStats& s) {
  nlohmann::ordered_json j;
  j["events_cleared"] = s.events_cleared;
  j["behind_writes"] = s.behind_writes;
  j["behind_wait"] = s.behind_wait;
  j["missing_pages"] = s.missing_pages;
  j["file_pages"] = s.file_pages;
  j["sync_size"] = s.sync_size;
  j["pages"] = s.pages;
  j["page_writes"] = s.page_writes;
  j["dirty_chunks"] = s.dirty_chunks;
  return j;
}

}  // namespace mdsim
