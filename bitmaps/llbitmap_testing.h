// Test helpers for the llbitmap variant: a simulated host around it (bitmap_testing.h) with
// the llbitmap-only operations as one-line calls.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "bitmaps/bitmap_testing.h"
#include "bitmaps/llbitmap.h"

namespace mdsim::testing {

// The registered llbitmap is the kernel's: its daemon does not write the Clean states it
// makes. The eager one writes them after the pass, so tests can see a pass's cleaning on disk.
inline std::unique_ptr<BitmapOps> make_eager_llbitmap(const BitmapGeometry& g,
                                                      const MddevView* m) {
  LlbitmapOptions o;
  o.daemon_writes_cleaned = true;
  return make_llbitmap_with(g, m, o);
}
inline const BitmapVariant kLlbitmapVariant{"llbitmap", "", &make_llbitmap};
inline const BitmapVariant kLazyLlbitmapVariant = kLlbitmapVariant;
inline const BitmapVariant kEagerLlbitmapVariant{"llbitmap-eager", "", &make_eager_llbitmap};

// 8 GiB in 128 chunks of 64 MiB: everything in block 2 of page 0 (the conformance geometry).
inline BitmapGeometry ll_small() {
  BitmapGeometry g;
  g.sync_size = Sector{1} << 24;
  g.chunk_bytes = 64 << 20;
  return g;
}
// 1 GiB in 16384 chunks of 64 KiB: page 0 holds chunks 0..3071 (blocks 2..7, 512 chunks
// each), page 1 chunks 3072..7167, ...; 5 pages used, 32 allocated.
inline BitmapGeometry ll_paged() {
  BitmapGeometry g;
  g.sync_size = Sector{1} << 21;
  g.chunk_bytes = 64 << 10;
  return g;
}

class LlbitmapHost {
 public:
  explicit LlbitmapHost(BitmapGeometry g = ll_small(), const BitmapVariant& v = kLlbitmapVariant)
      : geo(g), host(v, g) {}

  BitmapGeometry geo;
  BitmapHost host;

  Llbitmap& bm() { return static_cast<Llbitmap&>(host.bitmap()); }
  Sector at(uint64_t chunk) const { return chunk * geo.chunk_sectors(); }
  uint8_t state(uint64_t chunk) { return bm().state(chunk); }
  void write(uint64_t chunk) {  // a whole write: start, unplug, end
    host.write_start(at(chunk), 8);
    host.unplug();
    host.write_end(at(chunk), 8);
  }
  bool start_sync(uint64_t chunk) {
    Sector blocks = 0;
    return host.start_sync(at(chunk), &blocks);
  }
  void end_sync(uint64_t chunk) {
    Sector blocks = 0;
    host.run([&](SyncExecutor& x) { return bm().end_sync(x, at(chunk), &blocks); });
  }
  void close_sync() {
    host.run([&](SyncExecutor& x) { return bm().close_sync(x); });
  }
  void cond_end_sync(Sector sector, bool force) {
    host.run([&](SyncExecutor& x) { return bm().cond_end_sync(x, sector, force); });
  }
  void discard(uint64_t chunk) {
    host.run([&](SyncExecutor& x) -> Task<void> {
      co_await bm().start_discard(x, at(chunk), geo.chunk_sectors());
      co_await bm().end_discard(x, at(chunk), geo.chunk_sectors());
    });
  }
  void flush() {
    host.run([&](SyncExecutor& x) { return bm().flush(x, host.io()); });
  }
  // Reassembly: the current disk image with chunk `c` persisted as `s`, loaded again.
  void reload_with(uint64_t c, uint8_t s) {
    std::vector<uint8_t> image = bm().disk_image();
    image[kLlbitmapDataOffset + c] = s;
    bm().load_image(image);
  }
};

}  // namespace mdsim::testing
