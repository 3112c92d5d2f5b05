// Setting up the stripe_heads of a request (drivers/md/raid5.c, Linux 6.12): the part of
// raid5_get_active_stripe that does not sleep (find_get_stripe, else get_free_stripe and
// init_stripe: the stripe's parity members and raid5_build_block's array sector of each data
// block), and __add_stripe_bio (the bio on one block's towrite/toread list, R5_OVERWRITE once
// the page is covered, and for the first write to a block with a bitmap STRIPE_BIT_DELAY with
// bm_seq = seq_flush + 1, after the pre-6.14 bitmap startwrite of that block if the hooks are
// in the personality). Sleeping for a stripe_head is stripe_request's (raid5.cc), the cache's
// lists and waiters raid5_stripe_cache.h's.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "raid/mddev.h"
#include "raid/raid5.h"

namespace mdsim {

StripeHead* Raid5::get_stripe_now(Cpu& cpu, Sector sector) {
  StripeHead* sh = cache_.find_get(sector);
  if (sh != nullptr) return sh;
  sh = cache_.get_free(Raid5StripeCache::hash_of(sector));
  if (sh == nullptr) return nullptr;
  init_stripe(*sh, sector, cpu.id());
  sh->count = 1;
  return sh;
}

void Raid5::init_stripe(StripeHead& sh, Sector sector, int cpu) {
  sh.stripe = sector >> chunk_shift_;
  const Raid5Parity p = raid5_stripe_parity(geo_, sh.stripe);
  sh.pd_idx = p.pd_idx;
  sh.qd_idx = p.qd_idx;
  sh.cpu = cpu;
  sh.group = -1;
  sh.handle = sh.bit_delay = sh.preread_active = sh.active = sh.full_write = false;
  sh.on_release_list = false;
  sh.bm_seq = 0;
  sh.bitmap_pending = 0;
  sh.overwrite_disks = 0;
  sh.reconstruct = R5Reconstruct::kIdle;
  const Sector offset = sector & (geo_.chunk_sectors - 1);
  for (int i = 0; i < disks_; ++i) {
    R5Dev& d = sh.dev[static_cast<size_t>(i)];
    if (!d.towrite.empty() || !d.written.empty() || !d.toread.empty()) {
      std::fprintf(stderr, "mdsim: internal error: raid5 stripe %llu reused with bios\n",
                   static_cast<unsigned long long>(sh.sector));
      std::abort();
    }
    d.write_mask = 0;
    d.uptodate = d.locked = d.overwrite = false;
    d.want_read = d.want_write = d.want_compute = d.want_drain = d.want_fill = false;
    d.towrite_bitmap = d.written_bitmap = false;
    d.sector = 0;
  }
  const int data_disks = geo_.data_disks();
  for (int k = 0; k < data_disks; ++k) {  // raid5_compute_blocknr, for data blocks
    const Sector chunk = sh.stripe * static_cast<Sector>(data_disks) + static_cast<Sector>(k);
    sh.dev[static_cast<size_t>(raid5_data_member(geo_, p, k))].sector =
        chunk * geo_.chunk_sectors + offset;
  }
  cache_.insert(&sh, sector);
}

bool Raid5::add_stripe_bio(StripeHead& sh, int dev, R5HostBio& bio, bool write) {
  R5Dev& d = sh.dev[static_cast<size_t>(dev)];
  const Sector bs = bio.req.sector, be = bio.req.sector + bio.req.sectors;
  const auto lo = static_cast<uint8_t>(std::max(bs, d.sector) - d.sector);
  const auto hi = static_cast<uint8_t>(std::min(be, d.sector + kRaid5StripeSectors) - d.sector);
  ++bio.remaining;  // bio_inc_remaining
  if (!write) {
    d.toread.push_back(R5BioRef{&bio, lo, hi});
    return false;
  }
  const bool firstwrite = d.towrite.empty();
  d.towrite.push_back(R5BioRef{&bio, lo, hi});
  d.write_mask |= static_cast<uint8_t>(((1u << hi) - 1) & ~((1u << lo) - 1));
  if (d.write_mask == 0xff && !d.overwrite) {  // the page is covered: R5_OVERWRITE
    d.overwrite = true;
    ++sh.overwrite_disks;
  }
  if (!firstwrite || !md().bitmap_enabled()) return false;
  if (md().hooks_in_personality()) return true;
  sh.bm_seq = seq_flush_ + 1;
  sh.bit_delay = true;
  return false;
}

Task<void> Raid5::personality_startwrite(Cpu& cpu, StripeHead& sh, int dev) {
  // Before 6.14: startwrite per stripe_head block; STRIPE_BITMAP_PENDING keeps the stripe
  // from being written meanwhile.
  R5Dev& d = sh.dev[static_cast<size_t>(dev)];
  ++sh.bitmap_pending;
  WriteCookie cookie;
  co_await md().bitmap_startwrite(cpu, sh.sector, kRaid5StripeSectors, cookie);
  --sh.bitmap_pending;
  d.towrite_cookie = cookie;
  d.towrite_bitmap = true;
  sh.bm_seq = seq_flush_ + 1;
  sh.bit_delay = true;
}

}  // namespace mdsim
