// md's sync thread, setting up: what the config asks for - an unclean stop's dirty chunks in
// the bitmap's on-disk image, or a member to recover. See md_resync.h.
#include "raid/md_resync.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/llbitmap_image.h"
#include "bitmaps/llbitmap_states.h"
#include "raid/mddev.h"
#include "sim/random.h"

namespace mdsim {

namespace {

[[noreturn]] void resync_bug(const std::string& what) {
  std::fprintf(stderr, "mdsim: internal error: resync: %s\n", what.c_str());
  std::abort();
}

// round(fraction * n) of the n chunks, each set equally likely, in order (Knuth's selection
// sampling: O(n) time, no memory beyond the answer).
std::vector<uint64_t> choose_chunks(uint64_t n, double fraction, uint64_t seed) {
  const double want = std::llround(fraction * static_cast<double>(n));
  const uint64_t k = std::min<uint64_t>(n, static_cast<uint64_t>(std::max(0.0, want)));
  Rng rng = RandomStreams(seed).stream("resync.dirty_chunks");
  std::vector<uint64_t> out;
  out.reserve(k);
  for (uint64_t c = 0; c < n && out.size() < k; ++c) {
    if (rng.below(n - c) < k - out.size()) out.push_back(c);
  }
  return out;
}

}  // namespace

MdResync::MdResync(Mddev& md) : md_(md), sim_(&md.sim()), cfg_(md.config().resync) {
  core_ = md.machine().num_cpus() - 1;
  kind_ = md.kinds().resync;
  last_events_.assign(static_cast<size_t>(md.raid_disks()), 0);
  sync_io_.assign(static_cast<size_t>(md.raid_disks()), 0);
  tl_.kind = cfg_.kind;
  if (cfg_.kind == ResyncKind::kResync) {
    md.recovery_cp_ = 0;  // the superblock of an unclean array: resync from the start
    if (md.bitmap_enabled()) mark_dirty_chunks();
  } else if (cfg_.kind == ResyncKind::kRecovery) {
    const int r = cfg_.recovery_member;
    if (r < 0 || r >= md.raid_disks()) resync_bug("recovery_member out of range");
    Member& m = md.member(r);
    m.in_sync = false;
    m.recovery_offset = 0;
    md.view_.degraded = true;
    tl_.member = r;
    // raid1_add_disk: a new spare (saved_raid_disk < 0) sets conf->fullsync; without a
    // bitmap md cannot re-add, so the member comes back as a new spare (mdadm --add).
    full_sync_ = !cfg_.re_add || !md.bitmap_enabled();
    if (cfg_.re_add && md.bitmap_enabled()) mark_dirty_chunks();
  } else {
    resync_bug("no resync configured");
  }
}

// The bitmap as an unclean stop (or the re-added member's absence) left it: dirty_fraction of
// its chunks set in the on-disk image, which the variant then loads (bitmap_load).
void MdResync::mark_dirty_chunks() {
  BitmapOps& b = md_.bitmap();
  const BitmapGeometry& g = b.geometry();
  dirty_ = choose_chunks(g.chunks(), cfg_.dirty_fraction, cfg_.seed);
  tl_.dirty_chunks = dirty_.size();
  const std::vector<uint8_t> fresh = b.disk_image();
  const BitmapSuper own = read_bitmap_super(fresh);
  std::vector<uint8_t> image;
  if (own.ok() && own.version == kLlbitmapVersion) {
    LlbitmapImage im = decode_llbitmap_image(fresh);
    if (!im.ok() || im.states.size() < g.chunks()) resync_bug("llbitmap image: " + im.error);
    for (uint64_t c : dirty_) im.states[c] = kLlDirty;  // llbitmap_load: Reload -> NeedSync
    if (!md_.view_.degraded) infect_llbitmap_blocks(im.states, g.chunks(), g.raid456);
    image = encode_llbitmap_image(im.sb, im.states);
  } else {
    BitmapSuper sb;
    sb.uuid = g.uuid;
    sb.events = md_.view_.events;
    sb.sync_size = g.sync_size;
    sb.chunksize = static_cast<uint32_t>(g.chunk_bytes);
    sb.daemon_sleep = static_cast<uint32_t>(g.daemon_sleep / kSecond);
    sb.write_behind = static_cast<uint32_t>(g.max_write_behind);
    std::vector<uint8_t> bits((g.chunks() + 7) / 8, 0);
    for (uint64_t c : dirty_) bits[c / 8] |= static_cast<uint8_t>(1u << (c % 8));
    image = write_bitmap_image(sb, bits);
  }
  b.load_image(image);
}

// What a running llbitmap would have written (md-llbitmap.c, 6.18): once a second chunk of a
// 512-byte state block is dirtied while another is Dirty, llbitmap_set_page_dirty infects the
// block (llbitmap_infect_dirty_bits: Clean -> Dirty, Unwritten -> Dirty, NeedSync on raid456)
// and the next unplug writes it, so the crash leaves every such block wholly dirty on disk
// (a degraded array never infects). dirty_ then lists every chunk dirty in the image.
void MdResync::infect_llbitmap_blocks(std::vector<uint8_t>& states, uint64_t chunks,
                                      bool raid456) {
  constexpr uint64_t kBlockBytes = 512;
  std::vector<uint64_t> per_block((kLlbitmapDataOffset + states.size()) / kBlockBytes + 1, 0);
  for (uint64_t c : dirty_) ++per_block[(kLlbitmapDataOffset + c) / kBlockBytes];
  for (uint64_t b = 0; b < per_block.size(); ++b) {
    if (per_block[b] < 2) continue;
    const uint64_t first = b * kBlockBytes - kLlbitmapDataOffset;
    for (uint64_t c = first; c < first + kBlockBytes && c < states.size(); ++c) {
      if (states[c] == kLlClean) states[c] = kLlDirty;
      if (states[c] == kLlUnwritten) states[c] = raid456 ? kLlNeedSync : kLlDirty;
    }
  }
  dirty_.clear();
  for (uint64_t c = 0; c < chunks; ++c) {
    if (states[c] == kLlDirty || states[c] == kLlNeedSync) dirty_.push_back(c);
  }
  tl_.dirty_chunks = dirty_.size();
}

}  // namespace mdsim
