// handle_stripe for raid4/5/6 (drivers/md/raid5.c, Linux 6.12): one pass over a stripe_head on
// the core of the raid5d or worker running it, costing stripe_handle.
//
// analyse_stripe counts the blocks (locked, uptodate, to_read, to_write, non_overwrite,
// written, failed members). Then, as handle_stripe does: fail every bio when more members
// failed than the level survives (handle_failed_stripe); after a reconstruction, mark the
// written blocks and the parity for writing; return written bios once the parity is on disk
// (handle_stripe_clean_event, with the pre-6.14 bitmap endwrite per block); read or compute
// what reads, partial writes and degraded writes need (handle_stripe_fill -> fetch_block ->
// need_this_block: a read of a failed member reads every other one); plan new writes
// (handle_stripe_dirtying, raid5_dirtying.cc); run the ops (raid_run_ops, raid5_dirtying.cc);
// ops_run_io submits the reads and writes, one 4 KiB bio per block (skipping Faulty members),
// to the thread's plug. Each in-flight bio holds a stripe reference, so the stripe is handled
// again only when all have completed (raid5_end_{read,write}_request release it).
#include <cstdio>
#include <cstdlib>

#include "raid/mddev.h"
#include "raid/raid5.h"

namespace mdsim {

bool Raid5::insync(int member) const { return !md().member(member).faulty; }

void Raid5::unit_done(Ctx* ctx, R5BioRef ref, bool ok) {
  R5HostBio* b = ref.bio;
  if (!ok) {
    b->failed = true;
    ++stats_.failed_units;
  }
  if (--b->remaining == 0) ctx->endio.push_back(b);
}

void Raid5::analyse_stripe(StripeHead& sh, State& s) const {
  for (int i = disks_ - 1; i >= 0; --i) {
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    if (dev.uptodate && !dev.toread.empty()) dev.want_fill = true;
    if (dev.locked) ++s.locked;
    if (dev.uptodate) ++s.uptodate;
    if (dev.want_compute) ++s.compute;
    if (dev.want_fill) {
      ++s.to_fill;
    } else if (!dev.toread.empty()) {
      ++s.to_read;
    }
    if (!dev.towrite.empty()) {
      ++s.to_write;
      if (!dev.overwrite) ++s.non_overwrite;
    }
    if (!dev.written.empty()) ++s.written;
    if (!insync(i)) {
      if (s.failed < 2) s.failed_num[s.failed] = i;
      ++s.failed;
    }
  }
}

Task<void> Raid5::handle_stripe(Ctx& ctx, StripeHead& sh) {
  sh.handle = false;
  if (sh.active) {  // STRIPE_ACTIVE: handled elsewhere, come back afterwards
    sh.handle = true;
    co_return;
  }
  sh.active = true;
  ++stats_.handle_passes;
  ctx.cpu->charge(md().costs().stripe_handle, kinds_.handle);
  State s;
  analyse_stripe(sh, s);
  s.op_biofill = s.to_fill > 0;
  const int pd = sh.pd_idx, qd = sh.qd_idx;
  if (s.failed > geo_.max_degraded()) {
    if (sh.bitmap_pending > 0) {  // let the pending startwrite finish before failing its bio
      sh.handle = true;
      sh.active = false;
      co_return;
    }
    sh.reconstruct = R5Reconstruct::kIdle;
    if (s.to_read + s.to_write + s.written > 0) co_await handle_failed_stripe(ctx, sh, s);
  }
  if (sh.reconstruct == R5Reconstruct::kDrainResult ||
      sh.reconstruct == R5Reconstruct::kPrexorDrainResult) {
    sh.reconstruct = R5Reconstruct::kIdle;
    for (int i = disks_ - 1; i >= 0; --i) {
      R5Dev& dev = sh.dev[static_cast<size_t>(i)];
      if (dev.locked && (i == pd || i == qd || !dev.written.empty())) dev.want_write = true;
    }
  }
  auto parity_safe = [&](int p) {
    if (p < 0 || !insync(p)) return true;
    const R5Dev& dev = sh.dev[static_cast<size_t>(p)];
    return !dev.locked && dev.uptodate;
  };
  if (s.written > 0 && parity_safe(pd) && parity_safe(qd)) co_await clean_event(ctx, sh);
  if ((s.to_read > 0 || s.non_overwrite > 0 || (s.to_write > 0 && s.failed > 0)) &&
      sh.reconstruct == R5Reconstruct::kIdle) {
    for (int i = disks_ - 1; i >= 0; --i) {  // handle_stripe_fill
      if (fetch_block(sh, s, i)) break;
    }
    sh.handle = true;
  }
  if (sh.reconstruct == R5Reconstruct::kIdle && s.to_write > 0) handle_stripe_dirtying(sh, s);
  run_ops(ctx, sh, s);
  co_await run_io(ctx, sh);
  sh.active = false;
}

bool Raid5::need_this_block(StripeHead& sh, const State& s, int i) const {
  const R5Dev& dev = sh.dev[static_cast<size_t>(i)];
  if (dev.locked || dev.uptodate) return false;
  if (!dev.toread.empty() || (!dev.towrite.empty() && !dev.overwrite)) return true;
  const int nf = s.failed < 2 ? s.failed : 2;
  for (int j = 0; j < nf; ++j) {  // reading a failed member: read every other one
    if (!sh.dev[static_cast<size_t>(s.failed_num[j])].toread.empty()) return true;
  }
  if (s.failed == 0 || s.to_write == 0) return false;
  if (insync(i) && !sh.preread_active) return false;
  bool force_rcw = rmw_level_ == kParityDisableRmw;
  for (int j = 0; j < nf; ++j) {
    const int f = s.failed_num[j];
    const R5Dev& fdev = sh.dev[static_cast<size_t>(f)];
    // A partial write to a failed member needs its old content: read everything.
    if (!fdev.towrite.empty() && !fdev.uptodate && !fdev.overwrite) return true;
    if (s.failed >= 2 && (!fdev.towrite.empty() || f == sh.pd_idx || f == sh.qd_idx) &&
        !fdev.uptodate) {
      force_rcw = true;
    }
  }
  if (!force_rcw) return false;  // sh->sector < resync_offset: the array is clean
  for (int j = 0; j < nf; ++j) {
    const int f = s.failed_num[j];
    const R5Dev& fdev = sh.dev[static_cast<size_t>(f)];
    if (f != sh.pd_idx && f != sh.qd_idx && !fdev.uptodate && !fdev.overwrite) return true;
  }
  return false;
}

bool Raid5::fetch_block(StripeHead& sh, State& s, int i) {
  if (!need_this_block(sh, s, i)) return false;
  R5Dev& dev = sh.dev[static_cast<size_t>(i)];
  const bool failed_target = s.failed > 0 && (i == s.failed_num[0] || i == s.failed_num[1]);
  if (s.uptodate == disks_ - 1 && ((sh.qd_idx >= 0 && sh.pd_idx == i) || failed_target)) {
    dev.want_compute = true;
    s.target = i;
    s.target2 = -1;
    s.op_compute = true;
    ++s.uptodate;
    return true;
  }
  if (s.uptodate == disks_ - 2 && s.failed >= 2) {  // two blocks from P and Q
    int other = disks_ - 1;
    for (; other >= 0; --other) {
      if (other != i && !sh.dev[static_cast<size_t>(other)].uptodate) break;
    }
    if (other < 0 || sh.dev[static_cast<size_t>(other)].locked) return false;
    dev.want_compute = true;
    sh.dev[static_cast<size_t>(other)].want_compute = true;
    s.target = i;
    s.target2 = other;
    s.op_compute = true;
    s.uptodate += 2;
    return true;
  }
  if (insync(i)) {
    dev.locked = true;
    dev.want_read = true;
    ++s.locked;
    ++stats_.fill_reads;
  }
  return false;
}

Task<void> Raid5::clean_event(Ctx& ctx, StripeHead& sh) {
  for (int i = disks_ - 1; i >= 0; --i) {
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    if (dev.written.empty() || dev.locked || !dev.uptodate) continue;
    for (const R5BioRef& r : dev.written) unit_done(&ctx, r, true);
    dev.written.clear();
    if (dev.written_bitmap) {  // before 6.14: endwrite per stripe_head block
      dev.written_bitmap = false;
      const WriteCookie cookie = dev.written_cookie;
      co_await md().bitmap_endwrite(*ctx.cpu, sh.sector, kRaid5StripeSectors, cookie);
    }
  }
  sh.full_write = false;
}

Task<void> Raid5::handle_failed_stripe(Ctx& ctx, StripeHead& sh, State& s) {
  for (int i = disks_ - 1; i >= 0; --i) {
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    for (const R5BioRef& r : dev.towrite) unit_done(&ctx, r, false);
    dev.towrite.clear();
    dev.write_mask = 0;
    dev.overwrite = false;
    for (const R5BioRef& r : dev.written) unit_done(&ctx, r, false);
    dev.written.clear();
    for (int k = 0; k < 2; ++k) {  // close the bitmap writes these bios opened (pre-6.14)
      bool& open = k == 0 ? dev.towrite_bitmap : dev.written_bitmap;
      if (!open) continue;
      open = false;
      const WriteCookie cookie = k == 0 ? dev.towrite_cookie : dev.written_cookie;
      co_await md().bitmap_endwrite(*ctx.cpu, sh.sector, kRaid5StripeSectors, cookie);
    }
    if (!dev.want_fill && !insync(i)) {  // reads of a lost block that never reached the cache
      for (const R5BioRef& r : dev.toread) unit_done(&ctx, r, false);
      dev.toread.clear();
    }
    dev.locked = false;
  }
  sh.overwrite_disks = 0;
  sh.full_write = false;
  s.to_write = 0;
  s.written = 0;
}

Task<void> Raid5::run_io(Ctx& ctx, StripeHead& sh) {
  for (int i = disks_ - 1; i >= 0; --i) {
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    DiskOp op;
    if (dev.want_write) {
      dev.want_write = false;
      op = DiskOp::kWrite;
    } else if (dev.want_read) {
      dev.want_read = false;
      op = DiskOp::kRead;
    } else {
      continue;
    }
    if (!insync(i)) {  // no rdev: skip the I/O, look again
      dev.locked = false;
      sh.handle = true;
      continue;
    }
    ++sh.count;
    const R5Part part{&sh, i};
    if (!ctx.plug->merge(i, op, sh.sector, part)) {
      co_await ctx.plug->add(*ctx.cpu, i, op, sh.sector, part);
    }
  }
}

void Raid5::end_stripe_io(StripeHead& sh, int dev, DiskOp op, bool ok) {
  R5Dev& d = sh.dev[static_cast<size_t>(dev)];
  if (op == DiskOp::kRead && ok) d.uptodate = true;
  d.locked = false;
  sh.handle = true;
  release_stripe(sh);
}

}  // namespace mdsim
