// Planning and computing writes for raid4/5/6 (drivers/md/raid5.c, Linux 6.12):
// handle_stripe_dirtying, schedule_reconstruction, and raid_run_ops as it runs without a DMA
// engine (async_tx falls back to synchronous xor and memcpy on the calling core).
//
// handle_stripe_dirtying counts the blocks read-modify-write would read (the old data of every
// block written, and the parity) and those reconstruct-write would read (the data not
// overwritten), a block on a failed member costing 2 * disks; rmw if cheaper, or as cheap under
// PARITY_PREFER_RMW (rmw_level 2); rcw on a tie under PARITY_ENABLE_RMW (1), always under
// PARITY_DISABLE_RMW (0); a stripe whose data blocks are all overwritten or cached is rcw with
// nothing to read. It issues that method's reads; once nothing is locked and one method needs
// no reads, and the stripe is not STRIPE_BIT_DELAY'd (nor waiting for a pre-6.14 startwrite),
// schedule_reconstruction locks the blocks to drain and the parity.
// raid_run_ops: biofill (copy to read bios, completing them), compute (blocks of failed
// members), prexor + biodrain + reconstruct (rmw) or biodrain + reconstruct (rcw). CPU:
// parity_per_kib for every KiB of source blocks the xor or syndrome reads (rcw: the data
// blocks; rmw: parity and old data, then parity and new data; compute: the other blocks),
// copy_per_kib for every KiB copied between bios and the stripe pages (skip_copy is off).
// The pass that completes the reconstruction only marks it done; the next pass issues the
// writes (ops_complete_reconstruct sets STRIPE_HANDLE).
#include <cstdio>
#include <cstdlib>

#include "raid/mddev.h"
#include "raid/raid5.h"

namespace mdsim {

void Raid5::handle_stripe_dirtying(StripeHead& sh, State& s) {
  const int pd = sh.pd_idx, qd = sh.qd_idx;
  int rmw = 0, rcw = 0;
  auto have = [](const R5Dev& d) { return d.uptodate || d.want_compute; };
  const bool degraded = md().degraded();  // else every member is in sync
  auto in_sync = [&](int i) { return !degraded || insync(i); };
  if (rmw_level_ == kParityDisableRmw) {
    rcw = 1;  // the real rcw is counted below
    rmw = 2;
  } else {
    for (int i = disks_ - 1; i >= 0; --i) {
      const R5Dev& dev = sh.dev[static_cast<size_t>(i)];
      if ((!dev.towrite.empty() || i == pd || i == qd) && !dev.locked && !have(dev)) {
        rmw += in_sync(i) ? 1 : 2 * disks_;
      }
      if (!dev.overwrite && i != pd && i != qd && !dev.locked && !have(dev)) {
        rcw += in_sync(i) ? 1 : 2 * disks_;
      }
    }
  }
  sh.handle = true;
  const bool prefer_rmw = rmw_level_ == kParityPreferRmw;
  if ((rmw < rcw || (rmw == rcw && prefer_rmw)) && rmw > 0) {
    for (int i = disks_ - 1; i >= 0; --i) {  // read the old data and parity
      R5Dev& dev = sh.dev[static_cast<size_t>(i)];
      if ((!dev.towrite.empty() || i == pd || i == qd) && !dev.locked && !have(dev) &&
          in_sync(i)) {
        dev.locked = true;
        dev.want_read = true;
        ++s.locked;
        ++stats_.rmw_reads;
      }
    }
  }
  if ((rcw < rmw || (rcw == rmw && !prefer_rmw)) && rcw > 0) {
    rcw = 0;
    for (int i = disks_ - 1; i >= 0; --i) {  // read the data not being overwritten
      R5Dev& dev = sh.dev[static_cast<size_t>(i)];
      if (!dev.overwrite && i != pd && i != qd && !dev.locked && !have(dev)) {
        ++rcw;
        if (in_sync(i)) {
          dev.locked = true;
          dev.want_read = true;
          ++s.locked;
          ++stats_.rcw_reads;
        }
      }
    }
  }
  if (s.locked == 0 && (rcw == 0 || rmw == 0) && !sh.bit_delay && sh.bitmap_pending == 0) {
    schedule_reconstruction(sh, s, rcw == 0);
  }
}

void Raid5::schedule_reconstruction(StripeHead& sh, State& s, bool rcw) {
  const int pd = sh.pd_idx, qd = sh.qd_idx;
  for (int i = disks_ - 1; i >= 0; --i) {
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    if (i == pd || i == qd || dev.towrite.empty()) continue;
    if (!rcw && !(dev.uptodate || dev.want_compute)) continue;
    dev.locked = true;
    dev.want_drain = true;
    dev.uptodate = false;
    ++s.locked;
  }
  if (s.locked == 0) return;  // false alarm
  if (rcw) {
    sh.reconstruct = R5Reconstruct::kDrainRun;
    ++stats_.rcw;
    if (s.locked + geo_.max_degraded() == disks_) {  // STRIPE_FULL_WRITE
      sh.full_write = true;
      ++stats_.full_stripe_writes;
    }
  } else {
    sh.reconstruct = R5Reconstruct::kPrexorDrainRun;
    s.op_prexor = true;
    ++stats_.rmw;
  }
  s.op_biodrain = s.op_reconstruct = true;
  for (int p : {pd, qd}) {  // the parity stays locked while the ops run
    if (p < 0) continue;
    sh.dev[static_cast<size_t>(p)].locked = true;
    sh.dev[static_cast<size_t>(p)].uptodate = false;
    ++s.locked;
  }
}

void Raid5::run_ops(Ctx& ctx, StripeHead& sh, State& s) {
  Cpu& cpu = *ctx.cpu;
  const Time ppk = md().costs().parity_per_kib, cpk = md().costs().copy_per_kib;
  const Time block_kib = static_cast<Time>(kRaid5StripeSectors * kSectorBytes / 1024);
  const int pd = sh.pd_idx, qd = sh.qd_idx;
  if (s.op_biofill) {  // ops_run_biofill: copy to the read bios and complete them
    for (R5Dev& dev : sh.dev) {
      if (!dev.want_fill) continue;
      dev.want_fill = false;
      for (const R5BioRef& r : dev.toread) {
        cpu.charge(cpk * (r.hi - r.lo) / 2, kinds_.copy);
        unit_done(&ctx, r, true);
      }
      dev.toread.clear();
    }
    sh.handle = true;  // ops_complete_biofill
  }
  if (s.op_compute) {          // ops_run_compute5 / compute6_1 / compute6_2
    int sources = disks_ - 1;  // raid5: xor of every other block
    if (qd >= 0) sources = (s.target2 >= 0 || s.target != qd) ? disks_ - 2 : geo_.data_disks();
    cpu.charge(ppk * block_kib * sources, kinds_.parity);
    for (int t : {s.target, s.target2}) {
      if (t < 0) continue;
      sh.dev[static_cast<size_t>(t)].want_compute = false;
      sh.dev[static_cast<size_t>(t)].uptodate = true;
      ++stats_.computes;
    }
    sh.handle = true;  // ops_complete_compute
  }
  if (!s.op_reconstruct) return;
  int drained = 0;
  Time copied = 0;             // sectors
  for (R5Dev& dev : sh.dev) {  // ops_run_biodrain: the bios' data into the stripe pages
    if (!dev.want_drain) continue;
    dev.want_drain = false;
    if (!dev.written.empty()) {
      std::fprintf(stderr, "mdsim: internal error: raid5 drain over unreturned writes\n");
      std::abort();
    }
    for (const R5BioRef& r : dev.towrite) copied += r.hi - r.lo;
    dev.written.swap(dev.towrite);
    dev.written_bitmap = dev.towrite_bitmap;
    dev.written_cookie = dev.towrite_cookie;
    dev.towrite_bitmap = false;
    dev.write_mask = 0;
    if (dev.overwrite) {
      dev.overwrite = false;
      --sh.overwrite_disks;
    }
    ++drained;
  }
  cpu.charge(cpk * copied / 2, kinds_.copy);
  const int parities = geo_.max_degraded();
  const bool prexor = sh.reconstruct == R5Reconstruct::kPrexorDrainRun;
  // rmw: prexor (parity + old data) then reconstruct (parity + new data); rcw: all data.
  const int sources = prexor ? 2 * (drained + parities) : geo_.data_disks();
  cpu.charge(ppk * block_kib * sources, kinds_.parity);
  for (int i = 0; i < disks_; ++i) {  // ops_complete_reconstruct
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    if (!dev.written.empty() || i == pd || i == qd) dev.uptodate = true;
  }
  sh.reconstruct = prexor ? R5Reconstruct::kPrexorDrainResult : R5Reconstruct::kDrainResult;
  sh.handle = true;
}

}  // namespace mdsim
