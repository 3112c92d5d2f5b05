// The bitmap variant registry: one line per variant.
#include "bitmaps/registry.h"

namespace mdsim {

const std::vector<BitmapVariant>& bitmap_variants() {
  static const std::vector<BitmapVariant> kVariants = {
      {"none", "no bitmap: every region is resynced after an unclean stop", &make_none_bitmap},
      {"bitmap", "classic md-bitmap: 16-bit counters under one global counts.lock",
       &make_classic_bitmap},
      {"llbitmap", "lockless bitmap (6.18): a state byte per chunk, per-page percpu_ref barriers",
       &make_llbitmap},
      {"scalaraid", "ScalaRAID RFC: rwlock mlock + per-counter bmclocks, scattered counters",
       &make_scalaraid_bitmap},
      {"epoch", "ours: lockless state bytes, two-epoch page refs, writers never wait",
       &make_epoch_bitmap},
  };
  return kVariants;
}

const BitmapVariant* find_bitmap_variant(std::string_view name) {
  for (const BitmapVariant& v : bitmap_variants()) {
    if (name == v.name) return &v;
  }
  return nullptr;
}

}  // namespace mdsim
