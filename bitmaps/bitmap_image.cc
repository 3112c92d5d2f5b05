// md's on-disk bitmap format: writer and reader (see bitmap_image.h).
#include "bitmaps/bitmap_image.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

namespace mdsim {
namespace {

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}
uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

uint64_t BitmapSuper::chunks() const {
  if (chunksize == 0) return 0;
  return (sync_size * 512 + chunksize - 1) / chunksize;
}

std::array<uint8_t, kBitmapSuperBytes> encode_bitmap_super(const BitmapSuper& sb) {
  namespace o = bitmap_super_off;
  std::array<uint8_t, kBitmapSuperBytes> b{};
  put32(&b[o::kMagic], sb.magic);
  put32(&b[o::kVersion], sb.version);
  std::memcpy(&b[o::kUuid], sb.uuid.data(), 16);
  put64(&b[o::kEvents], sb.events);
  put64(&b[o::kEventsCleared], sb.events_cleared);
  put64(&b[o::kSyncSize], sb.sync_size);
  put32(&b[o::kState], sb.state);
  put32(&b[o::kChunksize], sb.chunksize);
  put32(&b[o::kDaemonSleep], sb.daemon_sleep);
  put32(&b[o::kWriteBehind], sb.write_behind);
  put32(&b[o::kSectorsReserved], sb.sectors_reserved);
  put32(&b[o::kNodes], sb.nodes);
  std::memcpy(&b[o::kClusterName], sb.cluster_name.data(), 64);
  return b;
}

std::vector<uint8_t> write_bitmap_image(const BitmapSuper& sb, const std::vector<uint8_t>& bits) {
  std::array<uint8_t, kBitmapSuperBytes> head = encode_bitmap_super(sb);
  std::vector<uint8_t> out(kBitmapSuperBytes + bits.size());
  std::memcpy(out.data(), head.data(), kBitmapSuperBytes);
  if (!bits.empty()) std::memcpy(out.data() + kBitmapSuperBytes, bits.data(), bits.size());
  return out;
}

BitmapSuper read_bitmap_super(std::span<const uint8_t> image) {
  namespace o = bitmap_super_off;
  BitmapSuper sb;
  if (image.size() < kBitmapSuperBytes) {
    sb.error = "bitmap image too short: " + std::to_string(image.size()) +
               " bytes, the superblock needs 256";
    return sb;
  }
  const uint8_t* b = image.data();
  sb.magic = get32(b + o::kMagic);
  sb.version = get32(b + o::kVersion);
  std::memcpy(sb.uuid.data(), b + o::kUuid, 16);
  sb.events = get64(b + o::kEvents);
  sb.events_cleared = get64(b + o::kEventsCleared);
  sb.sync_size = get64(b + o::kSyncSize);
  sb.state = get32(b + o::kState);
  sb.chunksize = get32(b + o::kChunksize);
  sb.daemon_sleep = get32(b + o::kDaemonSleep);
  sb.write_behind = get32(b + o::kWriteBehind);
  sb.sectors_reserved = get32(b + o::kSectorsReserved);
  sb.nodes = get32(b + o::kNodes);
  std::memcpy(sb.cluster_name.data(), b + o::kClusterName, 64);
  if (sb.magic != kBitmapMagic) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "bad bitmap magic 0x%08x (want 0x%08x)", sb.magic, kBitmapMagic);
    sb.error = buf;
  } else if (sb.version < 3 || sb.version > 6) {
    sb.error = "unsupported bitmap version " + std::to_string(sb.version);
  } else if (sb.chunksize == 0 || !std::has_single_bit(sb.chunksize)) {
    sb.error = "bad bitmap chunksize " + std::to_string(sb.chunksize);
  }
  return sb;
}

std::span<const uint8_t> bitmap_image_bits(std::span<const uint8_t> image) {
  if (image.size() <= kBitmapSuperBytes) return {};
  return image.subspan(kBitmapSuperBytes);
}

bool bitmap_bit(std::span<const uint8_t> bits, uint64_t c) {
  if (c / 8 >= bits.size()) return false;
  return (bits[c / 8] >> (c % 8)) & 1;
}

uint64_t count_dirty_bits(std::span<const uint8_t> bits, uint64_t chunks) {
  uint64_t n = 0;
  uint64_t full = std::min<uint64_t>(chunks / 8, bits.size());
  for (uint64_t i = 0; i < full; ++i) n += std::popcount(bits[i]);
  for (uint64_t c = full * 8; c < chunks; ++c) n += bitmap_bit(bits, c);
  return n;
}

}  // namespace mdsim
