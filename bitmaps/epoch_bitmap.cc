// `epoch`: construction, load and the write path (startwrite/endwrite, with and without a
// cookie). The design, the protocol and the invariant argument are in epoch_bitmap.h; the
// daemon and page writes in epoch_bitmap_daemon.cc; resync, write-behind and stats in
// epoch_bitmap_sync.cc.
#include "bitmaps/epoch_bitmap.h"

#include <algorithm>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/registry.h"

namespace mdsim {

namespace {

constexpr uint8_t st(EpochState s) { return static_cast<uint8_t>(s); }

// The states a writer leaves alone: its step is a read.
bool steady(uint8_t s) {
  return s == st(EpochState::kDirty) || s == st(EpochState::kNeedSync) ||
         s == st(EpochState::kSyncing);
}

}  // namespace

EpochBitmap::EpochBitmap(const BitmapGeometry& g, const MddevView* m)
    : BitmapOps(g, m),
      chunks_(g.chunks()),
      chunk_sectors_(std::max<Sector>(g.chunk_sectors(), 1)),
      pages_((kSuperBits + chunks_ + kBitsPerPage - 1) / kBitsPerPage),
      image_bytes_(kBitmapSuperBytes + (chunks_ + 7) / 8),
      state_(new std::atomic<uint8_t>[std::max<uint64_t>(chunks_, 1)]),
      page_(new Page[pages_]),
      persisted_(image_bytes_, 0) {
  for (uint64_t c = 0; c < chunks_; ++c) state_[c].store(st(EpochState::kClean));
  const int lines = static_cast<int>(std::max<uint64_t>(1, (chunks_ + 63) / kChunksPerLine));
  const int pages = static_cast<int>(pages_);
  state_line_ = decls_.line("epoch->state", lines);
  epoch_line_ = decls_.line("epoch->page_epoch", pages);
  flags_line_ = decls_.line("epoch->page_flags", pages);
  behind_line_ = decls_.line("epoch->behind_writes");
  ref_ = decls_.percpu_ref("epoch->active", 2 * pages);
  write_wait_ = decls_.wait_queue("epoch->page_write_wait");
  resurrect_wait_ = decls_.wait_queue("epoch->resurrect_wait");
  behind_wait_ = decls_.wait_queue("epoch->behind_wait");
  cost_read_ = decls_.cost("epoch.read_shared", 2);
  cost_update_ = decls_.cost("epoch.state_update", 10);
  cost_flag_ = decls_.cost("epoch.page_flag", 10);
  cost_scan_ = decls_.cost("epoch.scan_line", 8);  // 64 state bytes, word at a time
  cost_page_scan_ = decls_.cost("epoch.page_scan", 5);
  cost_snapshot_ = decls_.cost("epoch.page_snapshot", 300);
  cost_behind_ = decls_.cost("epoch.behind_atomic", 10);
  // The image as written at creation (mdadm --create): the superblock, no bit set.
  std::vector<uint8_t> sb = encode_super();
  std::copy(sb.begin(), sb.end(), persisted_.begin());
}

EpochBitmap::~EpochBitmap() = default;

uint64_t EpochBitmap::end_chunk(uint64_t p) const {
  return std::min(chunks_, (p + 1) * kBitsPerPage - kSuperBits);
}

EpochBitmap::Range EpochBitmap::range(Sector offset, uint64_t sectors) const {
  if (sectors == 0 || offset / chunk_sectors_ >= chunks_) return {};
  return {offset / chunk_sectors_, std::min(chunks_ - 1, (offset + sectors - 1) / chunk_sectors_)};
}

void EpochBitmap::load_image(std::span<const uint8_t> image) {
  BitmapSuper sb = read_bitmap_super(image);
  std::span<const uint8_t> bits = bitmap_image_bits(image);
  std::lock_guard<std::mutex> g(write_mu_);
  if (sb.ok()) {
    events_cleared_ = sb.events_cleared;
    sb_events_cleared_ = sb.events_cleared;
    std::copy(image.begin(), image.begin() + kBitmapSuperBytes, persisted_.begin());
  }
  for (uint64_t c = 0; c < chunks_; ++c) {
    // A bad superblock: md would refuse the bitmap; be safe and resync everything.
    bool dirty = !sb.ok() || bitmap_bit(bits, c);
    state_[c].store(st(dirty ? EpochState::kNeedSync : EpochState::kClean));
    uint8_t m = static_cast<uint8_t>(1u << (c % 8));
    uint8_t& byte = persisted_[kBitmapSuperBytes + c / 8];
    byte = dirty ? (byte | m) : (byte & static_cast<uint8_t>(~m));
  }
}

// ---- The write path.

Task<int> EpochBitmap::enter_epoch(SyncExecutor& x, uint64_t p) {
  Page& pg = page_[p];
  for (;;) {
    int e = 0;
    co_await x.compute(cost_read_, [&] { e = pg.epoch.load(std::memory_order_acquire); });
    if (!co_await x.ref_tryget(ref_, ref_index(p, e))) {
      ctr_.tryget_retries.fetch_add(1, std::memory_order_relaxed);
      continue;  // the daemon flipped and is draining e: the epoch has moved on
    }
    bool same = false;
    co_await x.compute(cost_read_, [&] { same = pg.epoch.load(std::memory_order_acquire) == e; });
    if (same) co_return e;
    ctr_.recheck_retries.fetch_add(1, std::memory_order_relaxed);
    co_await x.ref_put(ref_, ref_index(p, e));
  }
}

Task<void> EpochBitmap::enter_both(SyncExecutor& x, uint64_t p) {
  Page& pg = page_[p];
  for (int e = 0; e < 2; ++e) {
    while (!co_await x.ref_tryget(ref_, ref_index(p, e))) {
      ctr_.uncookied_waits.fetch_add(1, std::memory_order_relaxed);
      co_await x.wait(resurrect_wait_, [&] { return !pg.killed[e].load(); });
    }
  }
}

void EpochBitmap::set_state(uint64_t c, EpochState s) {
  Page& pg = page_[page_of(c)];
  if (state_[c].load() == st(EpochState::kClean) && s != EpochState::kClean) {
    uint64_t v = pg.version.fetch_add(1) + 1;
    uint64_t cur = pg.set_version.load();
    while (cur < v && !pg.set_version.compare_exchange_weak(cur, v)) {
    }
  }
  state_[c].store(st(s), std::memory_order_release);
}

bool EpochBitmap::start_transition(uint64_t c, Page& pg) {
  switch (static_cast<EpochState>(state_[c].load())) {
    case EpochState::kClean:
      set_state(c, EpochState::kDirty);
      if (!degraded()) infect_line(c);
      return (pg.flags.load() & (kPending | kNeedWrite)) != (kPending | kNeedWrite);
    case EpochState::kCleaning:
      ctr_.rescued.fetch_add(1, std::memory_order_relaxed);
      set_state(c, EpochState::kDirty);
      return false;
    case EpochState::kIdle:
      set_state(c, EpochState::kDirty);
      return false;
    default:
      return false;  // became steady since the read
  }
}

// Inside the RMW of c's line: if another chunk of the line is not Clean, the line is being
// written: its other Clean chunks go Dirty too, in the same RMW, so that later first writes
// there need no page write (llbitmap's "infection", per 64-chunk line instead of per 512-byte
// block). The daemon cleans the ones that stay unwritten one or two periods later. Degraded
// arrays do not infect (as llbitmap).
void EpochBitmap::infect_line(uint64_t c) {
  const uint64_t a = c / kChunksPerLine * kChunksPerLine;
  const uint64_t b = std::min(chunks_, a + kChunksPerLine);
  bool other = false;
  for (uint64_t i = a; i < b && !other; ++i) other = i != c && state(i) != EpochState::kClean;
  if (!other) return;
  uint64_t n = 0;
  for (uint64_t i = a; i < b; ++i) {
    if (state(i) != EpochState::kClean) continue;
    set_state(i, EpochState::kDirty);
    ++n;
  }
  ctr_.infected.fetch_add(n, std::memory_order_relaxed);
}

Task<void> EpochBitmap::mark_chunks(SyncExecutor& x, uint64_t p, uint64_t a, uint64_t b) {
  Page& pg = page_[p];
  for (uint64_t c = a; c <= b; ++c) {
    uint8_t s = 0;
    co_await x.compute(cost_read_, [&] { s = state_[c].load(std::memory_order_acquire); });
    if (steady(s)) continue;
    bool flag = false;
    co_await x.atomic(state_line_, line_of(c), cost_update_,
                      [&] { flag = start_transition(c, pg); });
    if (flag) {
      co_await x.atomic(flags_line_, static_cast<int>(p), cost_flag_,
                        [&] { pg.flags.fetch_or(kPending | kNeedWrite); });
    }
  }
}

Task<void> EpochBitmap::leave_chunks(SyncExecutor& x, uint64_t a, uint64_t b) {
  if (!degraded()) co_return;  // a write that missed a member: resync it (6.14 endwrite)
  for (uint64_t c = a; c <= b; ++c) {
    uint8_t s = 0;
    co_await x.compute(cost_read_, [&] { s = state_[c].load(std::memory_order_acquire); });
    if (s == st(EpochState::kNeedSync)) continue;
    co_await x.atomic(state_line_, line_of(c), cost_update_,
                      [&] { set_state(c, EpochState::kNeedSync); });
  }
}

Task<void> EpochBitmap::startwrite_tracked(SyncExecutor& x, Sector offset, uint64_t sectors,
                                           WriteCookie& cookie) {
  cookie.bits = 0;
  Range r = range(offset, sectors);
  if (r.empty()) co_return;
  const uint64_t p0 = page_of(r.first), p1 = page_of(r.last);
  if (p1 - p0 >= kCookiePages) {  // too many pages for the cookie: the uncookied path
    co_await startwrite(x, offset, sectors);
    co_return;
  }
  for (uint64_t p = p0; p <= p1; ++p) {
    int e = co_await enter_epoch(x, p);
    cookie.bits |= static_cast<uint64_t>(e) << (p - p0);
    co_await mark_chunks(x, p, std::max(r.first, first_chunk(p)),
                         std::min(r.last, end_chunk(p) - 1));
  }
  cookie.bits |= kTracked;
}

Task<void> EpochBitmap::endwrite_tracked(SyncExecutor& x, Sector offset, uint64_t sectors,
                                         const WriteCookie& cookie) {
  if (!(cookie.bits & kTracked)) {
    co_await endwrite(x, offset, sectors);
    co_return;
  }
  Range r = range(offset, sectors);
  if (r.empty()) co_return;
  const uint64_t p0 = page_of(r.first), p1 = page_of(r.last);
  for (uint64_t p = p0; p <= p1; ++p) {
    co_await leave_chunks(x, std::max(r.first, first_chunk(p)), std::min(r.last, end_chunk(p) - 1));
    co_await x.ref_put(ref_, ref_index(p, static_cast<int>((cookie.bits >> (p - p0)) & 1)));
  }
}

Task<void> EpochBitmap::startwrite(SyncExecutor& x, Sector offset, uint64_t sectors) {
  Range r = range(offset, sectors);
  if (r.empty()) co_return;
  for (uint64_t p = page_of(r.first); p <= page_of(r.last); ++p) {
    co_await enter_both(x, p);
    co_await mark_chunks(x, p, std::max(r.first, first_chunk(p)),
                         std::min(r.last, end_chunk(p) - 1));
  }
}

Task<void> EpochBitmap::endwrite(SyncExecutor& x, Sector offset, uint64_t sectors) {
  Range r = range(offset, sectors);
  if (r.empty()) co_return;
  for (uint64_t p = page_of(r.first); p <= page_of(r.last); ++p) {
    co_await leave_chunks(x, std::max(r.first, first_chunk(p)), std::min(r.last, end_chunk(p) - 1));
    co_await x.ref_put(ref_, ref_index(p, 0));
    co_await x.ref_put(ref_, ref_index(p, 1));
  }
}

std::unique_ptr<BitmapOps> make_epoch_bitmap(const BitmapGeometry& g, const MddevView* m) {
  return std::make_unique<EpochBitmap>(g, m);
}

}  // namespace mdsim
