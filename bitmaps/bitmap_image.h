// md's on-disk bitmap format: bitmap_super_t (256 bytes, little-endian) followed by one bit
// per chunk (chunk i at byte 256 + i/8, bit i%8, LSB first). Field layout from
// drivers/md/md-bitmap.h (Linux 6.12) and mdadm 4.2 bitmap.h; see /work/shared/REFERENCE.md
// "On-disk format". The writer produces what `mdadm --examine-bitmap FILE` reads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mdsim {

inline constexpr uint32_t kBitmapMagic = 0x6d746962;  // "bitm" little-endian
inline constexpr uint32_t kBitmapVersion = 4;         // BITMAP_MAJOR_HI
inline constexpr size_t kBitmapSuperBytes = 256;

// Byte offsets of the bitmap_super_t fields.
namespace bitmap_super_off {
inline constexpr size_t kMagic = 0;
inline constexpr size_t kVersion = 4;
inline constexpr size_t kUuid = 8;
inline constexpr size_t kEvents = 24;
inline constexpr size_t kEventsCleared = 32;
inline constexpr size_t kSyncSize = 40;
inline constexpr size_t kState = 48;
inline constexpr size_t kChunksize = 52;
inline constexpr size_t kDaemonSleep = 56;
inline constexpr size_t kWriteBehind = 60;
inline constexpr size_t kSectorsReserved = 64;
inline constexpr size_t kNodes = 68;
inline constexpr size_t kClusterName = 72;  // 64 bytes, then zero padding to 256
}  // namespace bitmap_super_off

struct BitmapSuper {
  uint32_t magic = kBitmapMagic;
  uint32_t version = kBitmapVersion;
  std::array<uint8_t, 16> uuid{};
  uint64_t events = 0;
  uint64_t events_cleared = 0;
  uint64_t sync_size = 0;     // sectors
  uint32_t state = 0;         // bit 1 STALE, bit 2 WRITE_ERROR
  uint32_t chunksize = 0;     // bytes
  uint32_t daemon_sleep = 5;  // seconds
  uint32_t write_behind = 0;
  uint32_t sectors_reserved = 0;
  uint32_t nodes = 0;
  std::array<char, 64> cluster_name{};

  // ceil(sync_size * 512 / chunksize), as mdadm's bitmap_bits().
  uint64_t chunks() const;

  // Set by read_bitmap_super on bad input (too short, wrong magic or version); empty if valid.
  std::string error;
  bool ok() const { return error.empty(); }
};

// Encodes the 256-byte superblock.
std::array<uint8_t, kBitmapSuperBytes> encode_bitmap_super(const BitmapSuper& sb);
// The superblock followed by `bits` (ceil(chunks/8) bytes expected; written as given).
std::vector<uint8_t> write_bitmap_image(const BitmapSuper& sb, const std::vector<uint8_t>& bits);
// Decodes the superblock at the start of `image`; on bad input the result's `error` says why.
// Versions 3 (host-endian, read as little-endian here) to 6 are accepted.
BitmapSuper read_bitmap_super(std::span<const uint8_t> image);
// The bit bytes after the superblock (possibly fewer than ceil(chunks/8) if truncated).
std::span<const uint8_t> bitmap_image_bits(std::span<const uint8_t> image);
// Whether chunk c's bit is set in the bits area (false beyond its end).
bool bitmap_bit(std::span<const uint8_t> bits, uint64_t c);
// Number of set bits among the first `chunks` bits (mdadm -X's "M dirty").
uint64_t count_dirty_bits(std::span<const uint8_t> bits, uint64_t chunks);

}  // namespace mdsim
