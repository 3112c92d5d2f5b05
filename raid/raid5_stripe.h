// The raid4/5/6 stripe_head and its per-member r5dev (drivers/md/raid5.h, Linux 6.12), reduced
// to the state the model's handle_stripe reads and writes, plus the host-bio bookkeeping the
// kernel keeps in bi_remaining (bio_inc_remaining per stripe unit, bio_endio per unit).
//
// A stripe_head is one 4 KiB row (STRIPE_SIZE) across every member: `sector` is the member
// sector of that row (sh->sector), dev[i] the 4 KiB block on member i. Flags keep the kernel's
// R5_* / STRIPE_* names in snake case (R5_UPTODATE -> uptodate, STRIPE_BIT_DELAY -> bit_delay).
// Bios attached to a block are R5BioRefs: the host bio and the sectors of the block it covers.
//
// Left out: the page contents (data is not modelled; the crash checker tracks versions
// elsewhere), batch_head/batch_list (full-stripe batching), the r5c journal and PPL flags,
// check_state (resync/check), reshape generations, R5_Overlap waits (overlapping bios to one
// block are queued together instead of waiting for the first to drain).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "bitmaps/bitmap_ops.h"
#include "raid/disk.h"
#include "raid/raid5_layout.h"
#include "sim/event.h"

namespace mdsim {

class Cpu;

// A host bio inside raid5: the units still outstanding, its outcome, and where it completed.
struct R5HostBio {
  explicit R5HostBio(Simulator& sim) : done(sim) {}
  DiskRequest req;
  int remaining = 1;  // bi_remaining: 1 for make_request itself, +1 per stripe unit
  bool failed = false;
  Event done;          // triggered when remaining reaches 0 outside the submitter
  Cpu* cpu = nullptr;  // the core whose handle_stripe ended it
};

// One bio attached to one block: sectors [lo, hi) of the block's 8.
struct R5BioRef {
  R5HostBio* bio = nullptr;
  uint8_t lo = 0;
  uint8_t hi = 0;
};

// reconstruct_state (enum reconstruct_states), the values the model uses.
enum class R5Reconstruct : uint8_t {
  kIdle,
  kDrainRun,
  kPrexorDrainRun,
  kDrainResult,
  kPrexorDrainResult
};

// The bios attached to one block (r5dev's towrite/written/toread chains): a vector of 16 bytes
// that keeps its storage when cleared.
class R5BioList {
 public:
  R5BioList() = default;
  R5BioList(R5BioList&& o) noexcept { swap(o); }
  R5BioList& operator=(R5BioList&& o) noexcept {
    swap(o);
    return *this;
  }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const R5BioRef* begin() const { return data_.get(); }
  const R5BioRef* end() const { return data_.get() + size_; }
  void push_back(const R5BioRef& r) {
    if (size_ == cap_) grow();
    data_[size_++] = r;
  }
  void clear() { size_ = 0; }
  void swap(R5BioList& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
  }

 private:
  void grow() {
    const uint32_t cap = cap_ == 0 ? 2 : 2 * cap_;
    auto data = std::make_unique<R5BioRef[]>(cap);
    std::copy(begin(), end(), data.get());
    data_ = std::move(data);
    cap_ = cap;
  }
  std::unique_ptr<R5BioRef[]> data_;
  uint32_t size_ = 0, cap_ = 0;
};

// One cache line of what every handle_stripe pass reads, then the rest.
struct alignas(64) R5Dev {
  uint8_t write_mask = 0;  // sectors of the block covered by towrite (R5_OVERWRITE at 0xff)
  bool uptodate = false, locked = false, overwrite = false;
  bool want_read = false, want_write = false, want_compute = false, want_drain = false;
  bool want_fill = false;
  // Before 6.14 the bitmap's startwrite/endwrite pair per towrite generation
  // (__add_stripe_bio -> handle_stripe_clean_event): whether one is open, and its cookie.
  bool towrite_bitmap = false, written_bitmap = false;
  R5BioList towrite, written, toread;
  Sector sector = 0;  // array sector of the block (data blocks; r5dev.sector)
  WriteCookie towrite_cookie, written_cookie;
};

class R5StripeList;

struct StripeHead {
  Sector sector = 0;  // member sector of the row
  Sector stripe = 0;  // chunk row (raid5_compute_sector's `stripe`)
  int pd_idx = -1, qd_idx = -1;
  int hash = 0;  // hash_lock_index: which inactive list
  int count = 0;
  int cpu = 0;     // sh->cpu: the core that set it up (picks the worker group)
  int group = -1;  // worker group whose handle_list holds it
  bool hashed = false;
  StripeHead* hash_next = nullptr;  // the stripe cache's hash chain (sh->hash)
  // STRIPE_* bits.
  bool handle = false, bit_delay = false, preread_active = false, active = false;
  bool full_write = false, on_release_list = false;
  uint64_t bm_seq = 0;
  int bitmap_pending = 0;  // pre-6.14 startwrites in flight (STRIPE_BITMAP_PENDING)
  int overwrite_disks = 0;
  R5Reconstruct reconstruct = R5Reconstruct::kIdle;
  std::vector<R5Dev> dev;
  // sh->lru: the one list it is on (inactive, handle, bitmap), intrusive.
  StripeHead* prev = nullptr;
  StripeHead* next = nullptr;
  R5StripeList* list = nullptr;
};

// An intrusive FIFO of stripe_heads through their lru link (list_head lru).
class R5StripeList {
 public:
  bool empty() const { return head_ == nullptr; }
  int size() const { return size_; }
  StripeHead* front() const { return head_; }
  void push_back(StripeHead* s) {
    s->list = this;
    s->next = nullptr;
    s->prev = tail_;
    (tail_ != nullptr ? tail_->next : head_) = s;
    tail_ = s;
    ++size_;
  }
  void remove(StripeHead* s) {
    (s->prev != nullptr ? s->prev->next : head_) = s->next;
    (s->next != nullptr ? s->next->prev : tail_) = s->prev;
    s->prev = s->next = nullptr;
    s->list = nullptr;
    --size_;
  }
  StripeHead* pop_front() {
    StripeHead* s = head_;
    if (s != nullptr) remove(s);
    return s;
  }

 private:
  StripeHead* head_ = nullptr;
  StripeHead* tail_ = nullptr;
  int size_ = 0;
};

}  // namespace mdsim
