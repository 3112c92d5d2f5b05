// The explicit registry of bitmap variants: one line per variant in registry.cc, with its
// name and a one-line description (the md_submodule_head registration of 6.18, by hand).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "bitmaps/bitmap_ops.h"

namespace mdsim {

using BitmapFactory = std::unique_ptr<BitmapOps> (*)(const BitmapGeometry&, const MddevView*);

struct BitmapVariant {
  const char* name;
  const char* description;
  BitmapFactory make;
};

const std::vector<BitmapVariant>& bitmap_variants();
// nullptr if there is no variant of that name.
const BitmapVariant* find_bitmap_variant(std::string_view name);

// Factories, one per variant file.
std::unique_ptr<BitmapOps> make_none_bitmap(const BitmapGeometry& g, const MddevView* m);
std::unique_ptr<BitmapOps> make_classic_bitmap(const BitmapGeometry& g, const MddevView* m);
std::unique_ptr<BitmapOps> make_scalaraid_bitmap(const BitmapGeometry& g, const MddevView* m);
std::unique_ptr<BitmapOps> make_epoch_bitmap(const BitmapGeometry& g, const MddevView* m);
std::unique_ptr<BitmapOps> make_llbitmap(const BitmapGeometry& g, const MddevView* m);

}  // namespace mdsim
