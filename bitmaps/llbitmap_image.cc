// llbitmap's on-disk format and defaults: see llbitmap_image.h.
#include "bitmaps/llbitmap_image.h"

#include <algorithm>
#include <cstring>

namespace mdsim {

uint64_t llbitmap_default_chunk_sectors(Sector blocks, uint64_t space_bytes) {
  uint64_t chunksize = kLlbitmapMinChunkSectors;
  uint64_t chunks = (blocks + chunksize - 1) / chunksize;
  while (chunks > space_bytes) {
    chunksize <<= 1;
    chunks = (blocks + chunksize - 1) / chunksize;
  }
  return chunksize;
}

BitmapGeometry llbitmap_default_geometry(Sector sync_size) {
  BitmapGeometry g;
  g.sync_size = sync_size;
  g.chunk_bytes = llbitmap_default_chunk_bytes(sync_size);
  g.daemon_sleep = kLlbitmapDefaultDaemonSleep;
  return g;
}

uint64_t llbitmap_chunks(const BitmapSuper& sb) {
  if (sb.chunksize == 0) return 0;
  return (sb.sync_size + sb.chunksize - 1) / sb.chunksize;
}

std::vector<uint8_t> encode_llbitmap_image(const BitmapSuper& sb, std::span<const uint8_t> states) {
  BitmapSuper v6 = sb;
  v6.version = kLlbitmapVersion;
  std::array<uint8_t, kBitmapSuperBytes> head = encode_bitmap_super(v6);
  std::vector<uint8_t> out(kLlbitmapDataOffset + states.size(), 0);
  std::memcpy(out.data(), head.data(), kBitmapSuperBytes);
  if (!states.empty()) std::memcpy(out.data() + kLlbitmapDataOffset, states.data(), states.size());
  return out;
}

LlbitmapImage decode_llbitmap_image(std::span<const uint8_t> image) {
  LlbitmapImage im;
  im.sb = read_bitmap_super(image);
  if (!im.sb.ok()) {
    im.error = im.sb.error;
    return im;
  }
  if (im.sb.version != kLlbitmapVersion) {
    im.error = "not an llbitmap: bitmap version " + std::to_string(im.sb.version) + " (want 6)";
    return im;
  }
  uint64_t chunks = llbitmap_chunks(im.sb);
  if (image.size() < kLlbitmapDataOffset + chunks) {
    im.error = "llbitmap image too short: " + std::to_string(image.size()) + " bytes, " +
               std::to_string(chunks) + " chunks need " +
               std::to_string(kLlbitmapDataOffset + chunks);
    return im;
  }
  auto first = image.begin() + static_cast<std::ptrdiff_t>(kLlbitmapDataOffset);
  im.states.assign(first, first + static_cast<std::ptrdiff_t>(chunks));
  return im;
}

std::array<uint64_t, kLlStateCount + 1> llbitmap_count_states(std::span<const uint8_t> states) {
  std::array<uint64_t, kLlStateCount + 1> n{};
  for (uint8_t s : states) ++n[std::min<size_t>(s, kLlStateCount)];
  return n;
}

}  // namespace mdsim
