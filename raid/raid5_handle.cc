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
// submit the member I/O (ops_run_io, raid5_plug.cc).
// A pass is a plain function call (handle_stripe_now) unless it may wait: with a failed
// member (handle_failed_stripe, bitmap endwrites) or a pre-6.14 bitmap endwrite due in
// handle_stripe_clean_event it runs as the handle_stripe coroutine; a plug flush in the middle
// of ops_run_io continues in run_io.
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
  }
  if (!md().degraded()) return;  // every member in sync
  for (int i = disks_ - 1; i >= 0; --i) {
    if (insync(i)) continue;
    if (s.failed < 2) s.failed_num[s.failed] = i;
    ++s.failed;
  }
}

bool Raid5::begin_pass(Ctx& ctx, StripeHead& sh, State& s) {
  sh.handle = false;
  if (sh.active) {  // STRIPE_ACTIVE: handled elsewhere, come back afterwards
    sh.handle = true;
    return false;
  }
  sh.active = true;
  ++stats_.handle_passes;
  ctx.cpu->charge(md().costs().stripe_handle, kinds_.handle);
  analyse_stripe(sh, s);
  s.op_biofill = s.to_fill > 0;
  return true;
}

void Raid5::mark_drain_result(StripeHead& sh) {
  if (sh.reconstruct != R5Reconstruct::kDrainResult &&
      sh.reconstruct != R5Reconstruct::kPrexorDrainResult) {
    return;
  }
  sh.reconstruct = R5Reconstruct::kIdle;
  for (int i = disks_ - 1; i >= 0; --i) {
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    if (dev.locked && (i == sh.pd_idx || i == sh.qd_idx || !dev.written.empty())) {
      dev.want_write = true;
    }
  }
}

bool Raid5::clean_ready(const StripeHead& sh, const State& s) const {
  auto parity_safe = [&](int p) {
    if (p < 0 || !insync(p)) return true;
    const R5Dev& dev = sh.dev[static_cast<size_t>(p)];
    return !dev.locked && dev.uptodate;
  };
  return s.written > 0 && parity_safe(sh.pd_idx) && parity_safe(sh.qd_idx);
}

void Raid5::plan_pass(Ctx& ctx, StripeHead& sh, State& s) {
  if ((s.to_read > 0 || s.non_overwrite > 0 || (s.to_write > 0 && s.failed > 0)) &&
      sh.reconstruct == R5Reconstruct::kIdle) {
    for (int i = disks_ - 1; i >= 0; --i) {  // handle_stripe_fill
      if (fetch_block(sh, s, i)) break;
    }
    sh.handle = true;
  }
  if (sh.reconstruct == R5Reconstruct::kIdle && s.to_write > 0) handle_stripe_dirtying(sh, s);
  run_ops(ctx, sh, s);
}

Task<void> Raid5::handle_stripe(Ctx& ctx, StripeHead& sh) {
  State s;
  if (!begin_pass(ctx, sh, s)) co_return;
  if (s.failed > geo_.max_degraded()) {
    if (sh.bitmap_pending > 0) {  // let the pending startwrite finish before failing its bio
      sh.handle = true;
      sh.active = false;
      co_return;
    }
    sh.reconstruct = R5Reconstruct::kIdle;
    if (s.to_read + s.to_write + s.written > 0) co_await handle_failed_stripe(ctx, sh, s);
  }
  mark_drain_result(sh);
  if (clean_ready(sh, s)) co_await clean_event(ctx, sh);
  plan_pass(ctx, sh, s);
  co_await run_io(ctx, sh, submit_io(ctx, sh, disks_ - 1));
}

int Raid5::handle_stripe_now(Ctx& ctx, StripeHead& sh) {
  // The coroutine is needed for failed members (handle_failed_stripe may end bitmap writes)
  // and for a pre-6.14 bitmap endwrite in handle_stripe_clean_event.
  if (md().degraded()) {
    for (int i = 0; i < disks_; ++i) {
      if (!insync(i)) return kHandleAsync;
    }
  }
  if (md().hooks_in_personality()) {
    for (int i = 0; i < disks_; ++i) {
      if (sh.dev[static_cast<size_t>(i)].written_bitmap) return kHandleAsync;
    }
  }
  State s;
  if (!begin_pass(ctx, sh, s)) return kHandleDone;
  mark_drain_result(sh);
  if (clean_ready(sh, s)) {
    for (int i = disks_ - 1; i >= 0; --i) return_written(ctx, sh, i);
    sh.full_write = false;
  }
  plan_pass(ctx, sh, s);
  const int pending = submit_io(ctx, sh, disks_ - 1);
  if (pending < 0) sh.active = false;
  return pending;
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

bool Raid5::return_written(Ctx& ctx, StripeHead& sh, int i) {
  R5Dev& dev = sh.dev[static_cast<size_t>(i)];
  if (dev.written.empty() || dev.locked || !dev.uptodate) return false;
  for (const R5BioRef& r : dev.written) unit_done(&ctx, r, true);
  dev.written.clear();
  return dev.written_bitmap;
}

Task<void> Raid5::clean_event(Ctx& ctx, StripeHead& sh) {
  for (int i = disks_ - 1; i >= 0; --i) {
    if (!return_written(ctx, sh, i)) continue;
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    dev.written_bitmap = false;  // before 6.14: endwrite per stripe_head block
    const WriteCookie cookie = dev.written_cookie;
    co_await md().bitmap_endwrite(*ctx.cpu, sh.sector, kRaid5StripeSectors, cookie);
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

}  // namespace mdsim
