// The pending-event set of the simulator: a monotone radix-256 heap (a hierarchical timing wheel
// over the whole 64-bit time range) whose lowest level is consumed as a sorted run. Ties are
// ordered by (priority, sequence), so runs are deterministic.
//
// Levels. Every pending entry is >= cur_, the start of the current 256 ns window, and an entry
// whose time differs from cur_ first in byte k lives in slot (byte k of its time) of level k.
// Level 0 is the current window itself. A slot is a bucket: entries by value, appended.
//
// The run. When the current window is used up, the lowest occupied slot of the lowest level
// opens: a level-k >= 2 slot is redistributed to lower levels relative to its start (a level-2
// slot straight into level 1 or the current window), and a level-1 slot (one whole window)
// becomes run_, one contiguous array sorted by (time, ord) that pop() reads front to back.
// Slots of up to kSmallRun entries (most, in the storage workloads) are insertion-sorted
// straight into the run by advance(), which then makes no calls but tail calls, so it saves no
// registers. Larger ones are counting-sorted on the low time byte: stable, and buckets are
// appended in scheduling order, so the run is in (time, ord) order unless the slot mixed
// priorities out of order; that is detected during the count, and then each timestamp's
// entries are sorted by ord.
//
// Late entries: pushed into the current window after its run was built (about 12% in the hold
// model, 30% in the RAID10 benchmark, where many are at exactly the current time). If that
// moves at most kRunInsert run entries they go into the run itself: into a used-up run
// (restarted at the buffer's start), in front of its head (the slot of the last popped entry;
// e.g. a higher priority at the current time) or shifted in from the back. Otherwise they go
// to level 0, one bucket per nanosecond; late_ tracks the earliest, and pop() takes the run
// head unless the earliest late entry precedes it in (time, ord). Opening a level >= 2 slot
// may fill both.
//
// Pushing below cur_ (allowed after top_time(), see push) re-buckets everything.
//
// Storage: buckets never shrink, and buffers of at least kSpareMin entries are recycled: an
// opened slot hands its buffer to the next slot that outgrows its own, so a dense queue
// touches few, recently used buffers and stops allocating once warm.
//
// Measured (2-core VM, noisy: medians over 8 interleaved runs of `sim_benchmarks
// --benchmark_filter=Hold --benchmark_repetitions=5 --benchmark_report_aggregates_only=true`,
// sim/event_queue_benchmark.cc), in events/s:
//   hold model, P = 1000:    previous design 29 M, this one 55 M; ns-3 (ns3_hold.sh) pq 6.0 M,
//                            calendar 4.8 M
//   hold model, P = 100000:  previous design 36 M, this one 47 M; ns-3 pq 3.1 M
// Callgrind, whole hold loop (the RNG alone is ~54): 266 -> 189 instructions per event at
// P = 1000, 250 -> 186 at P = 100000. The previous design placed every entry of an opened
// level-1 slot into 256 per-nanosecond vectors and swapped each into a "now" run; at P = 1000
// that is about one entry per vector.
// Kept because they won: the sorted run (about 1.5x at P = 1000 on its own); tail calls out of
// push() and buckets written field by field (a 32-byte temporary stalled store forwarding);
// recycling large buffers (P = 100000 on a fresh queue: 27 -> 45 M, from page faults and
// regrowth). BM_StorageMix (sparse, three priorities, ns to ms delays) then ran at half the
// previous design's speed at P = 1000 until small runs were insertion-sorted and small buffers
// stayed in their slots, and 5% below it at P = 100000 until only equal-time groups, not whole
// runs, were sorted when priorities mix; it is now 13% (P = 1000) and 23% faster than before.
// Tried and dropped: 64/128 ns windows (fewer late entries, up to +10% at P = 1000 but -15%
// at P = 100000 with 4x more slots being filled), late entries in one pool linked per
// nanosecond, a branch for level 1 instead of bsr (no measurable gain). Earlier: a binary
// radix heap, sorting small buckets whole, an index-linked node pool (+10% at P = 1000, 3x
// slower at P = 100000) and LIFO reuse of every emptied vector were all slower.
//
// Sparse storage workloads (raid/array_benchmark.cc warm/*: about 4 entries per opened window
// in RAID10, 1-2 in RAID5). Callgrind, instructions in this queue's code (inlined parts
// included) before -> after the changes below, and whole-program totals:
//   warm/Raid10/  queue 738 M -> 469 M (127 -> 81 per event), total 4.27 G -> 3.99 G
//   warm/Raid1/   queue 356 M -> 236 M (130 -> 86 per event), total 1.98 G -> 1.86 G
//   warm/Raid5/   queue  80 M ->  49 M (153 -> 93 per event), total 0.408 G -> 0.375 G
//   whole program, hold P = 1000: 570 M -> 565 M; P = 100000: 596 M -> 594 M;
//   BM_StorageMix P = 1000: 980 M -> 761 M; P = 100000: 921 M -> 894 M.
// What won, as shares of the old warm/Raid10/ queue instructions (measured on a replayed trace
// of its queue calls): late entries into the run instead of level 0 (-21%; the per-nanosecond
// buckets cost ~130 instructions per late entry between place_late, pop_slow and next_late);
// advance() without saved registers for small level-1 slots, with the counting sort out of
// line in build_run (-9%); level-2 slots redistributed by a loop of their own instead of
// place() (-2%). Level 0 then keeps its common case (a later time than late_, room in the
// bucket) free of saved registers too, which the dense hold model needs: trying the run first
// costs it ~25 instructions per late entry. kRunInsert 4, 8, 16: within 0.6% of each other on
// the RAID traces. Tried and dropped: one unsigned compare in push() for both time < cur_ and
// the current window (+3.5%: late entries then take one more call); wider windows (the lowest
// level 512, 1024 or 4096 ns, radix 256 above): warm/Raid10 +1.1%, +3.3%, +9.6% instructions,
// warm/Raid5 -0.3%, -2.0%, -2.8%, the hold model +13..19% at 1024 ns, wall clock the same way.
// The RAID events come in bursts, so 4x wider windows open far fewer than 4x fewer runs, and
// pushes that appended to the next level-1 bucket become late entries shifted into the run.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/time.h"

namespace mdsim {

using EventFn = void (*)(void* ctx);

struct EventEntry {
  Time time;
  uint64_t ord;  // priority in the top 8 bits, scheduling sequence below: the tie-break order
  EventFn fn;
  void* ctx;
};

class EventQueue {
 public:
  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  // Adds an entry (time >= 0). Its time may precede the last popped time only after the caller
  // stopped before the next event (Simulator::run_until) and scheduled in between; if it also
  // precedes the current window, the queue re-buckets everything (rare).
  void push(Time time, uint64_t ord, EventFn fn, void* ctx) {
    ++size_;
    // Fast path: an entry for a level >= 1 slot with room. The other cases are tail calls, so
    // this inlines into the caller without saving registers.
    if (time < cur_) [[unlikely]] {
      return push_slow(time, ord, fn, ctx);
    }
    uint64_t t = static_cast<uint64_t>(time);
    uint64_t x = t ^ static_cast<uint64_t>(cur_);
    if (x < kSlots) return place_late(time, ord, fn, ctx);
    size_t i = slot_index(t, x);
    Bucket& b = slot_[i];
    if (b.full()) [[unlikely]] {
      return push_slow(time, ord, fn, ctx);
    }
    mark(i);
    b.append_unchecked(time, ord, fn, ctx);
  }

  // Time of the earliest entry. Requires !empty().
  Time top_time() {
    if (run_head_ == run_end_ && late_ == kNoLate) advance();
    uint64_t run = run_head_ < run_end_ ? key(run_[run_head_]) : kNoLate;
    return static_cast<Time>(run < late_ ? run : late_);
  }

  // Removes and returns the earliest entry. Requires !empty().
  EventEntry pop() {
    --size_;
    if (run_head_ < run_end_ && run_first()) [[likely]] {
      return run_[run_head_++];
    }
    return pop_slow();
  }

  // top_time() <= t then pop() in one: the earliest entry into *out if there is one due by t.
  bool pop_until(Time t, EventEntry* out) {
    if (run_head_ < run_end_ && run_first()) [[likely]] {
      const EventEntry& e = run_[run_head_];
      if (e.time > t) return false;
      *out = e;
      ++run_head_;
      --size_;
      return true;
    }
    if (size_ == 0 || top_time() > t) return false;
    *out = pop();
    return true;
  }

 private:
  static constexpr int kLevels = 8;
  static constexpr int kSlots = 256;
  static constexpr int kWords = kLevels * kSlots / 64;
  static constexpr size_t kSmallRun = 16;
  static constexpr size_t kSpareMin = 256;
  static constexpr size_t kRunInsert = 8;
  static constexpr uint64_t kNoLate = ~uint64_t{0};

  // A growable array of entries that keeps its capacity when cleared: std::vector's job, with
  // the growth path out of line and appended entries written in place, field by field.
  class Bucket {
   public:
    Bucket() = default;
    Bucket(Bucket&& o) noexcept { swap(o); }
    Bucket& operator=(Bucket&& o) noexcept {
      swap(o);
      return *this;
    }
    ~Bucket();
    void swap(Bucket& o) noexcept {
      std::swap(begin_, o.begin_);
      std::swap(end_, o.end_);
      std::swap(limit_, o.limit_);
    }

    size_t size() const { return static_cast<size_t>(end_ - begin_); }
    size_t capacity() const { return static_cast<size_t>(limit_ - begin_); }
    bool full() const { return end_ == limit_; }
    EventEntry* begin() const { return begin_; }
    EventEntry* end() const { return end_; }
    EventEntry& operator[](size_t i) const { return begin_[i]; }

    void append_unchecked(Time time, uint64_t ord, EventFn fn, void* ctx) {
      EventEntry* e = end_++;
      e->time = time;
      e->ord = ord;
      e->fn = fn;
      e->ctx = ctx;
    }
    void append_copy(const EventEntry& e) { *end_++ = e; }  // requires !full()
    void append(Time time, uint64_t ord, EventFn fn, void* ctx) {
      if (full()) grow();
      append_unchecked(time, ord, fn, ctx);
    }
    void insert(size_t pos, const EventEntry& e);
    void erase_front(size_t n);
    void clear() { end_ = begin_; }
    void grow();  // doubles the capacity
    // Takes b's entries into this bucket's larger buffer and swaps buffers with b.
    void take_over(Bucket& b);

   private:
    EventEntry* begin_ = nullptr;
    EventEntry* end_ = nullptr;
    EventEntry* limit_ = nullptr;
  };

  static uint64_t key(const EventEntry& e) { return static_cast<uint64_t>(e.time); }
  // The slot index (level * kSlots + slot) of time t, given x = t ^ cur_ >= kSlots.
  static size_t slot_index(uint64_t t, uint64_t x) {
    int shift = (63 - __builtin_clzll(x)) & ~7;  // 8 * level
    return static_cast<size_t>(shift) << 5 | ((t >> shift) & 0xff);
  }
  void mark(size_t i) { occupied_[i >> 6] |= uint64_t{1} << (i & 63); }
  void unmark(size_t i) { occupied_[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  // Whether the run head precedes the earliest late entry. Requires a non-empty run.
  bool run_first() const {
    const EventEntry& e = run_[run_head_];
    return key(e) < late_ || (key(e) == late_ && e.ord < late_ord_);
  }

  // Whether (time, ord) sorts before e.
  static bool precedes(Time time, uint64_t ord, const EventEntry& e) {
    return time < e.time || (time == e.time && ord < e.ord);
  }
  static void write(EventEntry& e, Time time, uint64_t ord, EventFn fn, void* ctx) {
    e.time = time;
    e.ord = ord;
    e.fn = fn;
    e.ctx = ctx;
  }

  void push_slow(Time time, uint64_t ord, EventFn fn, void* ctx);
  void place(Time time, uint64_t ord, EventFn fn, void* ctx);  // any level, cur_ <= time
  // An entry in the current window: into the run if cheap, else place_level0.
  void place_late(Time time, uint64_t ord, EventFn fn, void* ctx);
  void make_run_room(Time time, uint64_t ord, EventFn fn, void* ctx);  // the run buffer is full
  void place_level0(Time time, uint64_t ord, EventFn fn, void* ctx);
  void place_level0_slow(Time time, uint64_t ord, EventFn fn, void* ctx);
  EventEntry pop_slow();
  void next_late();
  // Opens slots until the run or level 0 is not empty. Requires both empty.
  void advance();
  void advance_upper(int i);  // opens level-k >= 2 slot i, then goes on
  void build_run(Bucket& src);  // sorts level-1 slot src into the run and empties it
  void keep_spare(Bucket& src);
  int lowest(int from_word, int to_word) const;  // lowest occupied slot index, or -1
  void rewind(Time t);

  Time cur_ = 0;  // start of the current window; moves only when run and level 0 are empty
  // The sorted run: [run_head_, run_end_) is pending. At least kSmallRun entries; grows, never
  // shrinks.
  std::vector<EventEntry> run_ = std::vector<EventEntry>(kSmallRun);
  size_t run_head_ = 0;
  size_t run_end_ = 0;
  // The earliest late entry: its time (kNoLate if none), its ord, and its index in its slot
  // (the slot is sorted by ord from there; earlier indices are popped).
  uint64_t late_ = kNoLate;
  uint64_t late_ord_ = kNoLate;
  size_t late_head_ = 0;
  // Slot s of level k is slot_[k * kSlots + s]; occupied_ has one bit per slot.
  std::array<Bucket, kLevels * kSlots> slot_;
  std::array<uint64_t, kWords> occupied_{};
  std::vector<Bucket> spare_;  // recycled buffers of opened slots, see above
  size_t size_ = 0;
};

}  // namespace mdsim
