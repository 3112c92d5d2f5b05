// llbitmap's on-disk format (drivers/md/md-llbitmap.c, Linux 6.18) and its defaults.
//
// The bitmap area starts with md's 256-byte bitmap_super_t (bitmap_image.h encodes it), with
// version 6 (BITMAP_MAJOR_LOCKLESS) and two fields in llbitmap's units: chunksize in SECTORS
// (llbitmap->chunksize) and sectors_reserved = bitmap_info.space; llbitmap_update_sb also
// writes events, state, sync_size, events_cleared and daemon_sleep (seconds). Bytes 256..1023
// are zero; one state byte per chunk follows from byte 1024 (BITMAP_DATA_OFFSET), so chunk c
// is byte 1024 + c, in page (1024 + c) / 4096. mdadm 4.2 rejects version 6, hence this reader.
//
// Defaults (llbitmap_init): chunks start at MIN_CHUNK_SIZE (128 sectors, 64 KiB) and double
// while the chunk count exceeds the bitmap space in bytes (128 KiB by default); daemon_sleep
// DEFAULT_DAEMON_SLEEP 30 s; barrier_idle DEFAULT_BARRIER_IDLE 5 s.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/bitmap_ops.h"
#include "bitmaps/llbitmap_states.h"

namespace mdsim {

inline constexpr uint32_t kLlbitmapVersion = 6;                    // BITMAP_MAJOR_LOCKLESS
inline constexpr size_t kLlbitmapDataOffset = 1024;                // BITMAP_DATA_OFFSET
inline constexpr uint64_t kLlbitmapMinChunkSectors = 128;          // MIN_CHUNK_SIZE
inline constexpr uint64_t kLlbitmapDefaultSpaceBytes = 128 << 10;  // bitmap_info.space
inline constexpr Time kLlbitmapDefaultDaemonSleep = 30 * kSecond;  // DEFAULT_DAEMON_SLEEP
inline constexpr Time kLlbitmapBarrierIdle = 5 * kSecond;          // DEFAULT_BARRIER_IDLE

// llbitmap_init's chunk size, in sectors, for `blocks` sectors (mddev->resync_max_sectors):
// 128 sectors, doubled while ceil(blocks / chunk) > space_bytes. (Like the kernel, this lets
// the states fill the space exactly and ignores the 1 KiB header ahead of them.)
uint64_t llbitmap_default_chunk_sectors(Sector blocks,
                                        uint64_t space_bytes = kLlbitmapDefaultSpaceBytes);
inline uint64_t llbitmap_default_chunk_bytes(Sector blocks,
                                             uint64_t space_bytes = kLlbitmapDefaultSpaceBytes) {
  return llbitmap_default_chunk_sectors(blocks, space_bytes) * 512;
}
// A geometry with llbitmap's defaults (chunk size as above, daemon_sleep 30 s), for configs
// that give neither.
BitmapGeometry llbitmap_default_geometry(Sector sync_size);

// ceil(sync_size / chunksize), chunksize in sectors (llbitmap_read_sb).
uint64_t llbitmap_chunks(const BitmapSuper& sb);

// A decoded llbitmap area.
struct LlbitmapImage {
  BitmapSuper sb;               // sb.chunksize in sectors
  std::vector<uint8_t> states;  // one byte per chunk
  std::string error;            // empty if valid
  bool ok() const { return error.empty(); }
};

// The superblock (version forced to 6), zeros up to byte 1024, then the state bytes.
std::vector<uint8_t> encode_llbitmap_image(const BitmapSuper& sb, std::span<const uint8_t> states);
// Decodes an llbitmap area: a valid bitmap_super_t with version 6, a power-of-two chunksize,
// and at least 1024 + chunks bytes. On bad input `error` says why (states are then empty).
LlbitmapImage decode_llbitmap_image(std::span<const uint8_t> image);

// How many chunks are in each state (sysfs llbitmap/bits); index kLlStateCount counts bytes
// that are not a valid state.
std::array<uint64_t, kLlStateCount + 1> llbitmap_count_states(std::span<const uint8_t> states);

}  // namespace mdsim
