// Radix-256 event queue with sorted runs: see event_queue.h.
#include "sim/event_queue.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace mdsim {

namespace {

// Comparators as function objects, so that the sorts inline them.
struct ByOrd {
  bool operator()(const EventEntry& a, const EventEntry& b) const { return a.ord < b.ord; }
};

struct ByTimeOrd {
  bool operator()(const EventEntry& a, const EventEntry& b) const {
    return a.time < b.time || (a.time == b.time && a.ord < b.ord);
  }
};

}  // namespace

// Buckets hold raw malloc'd memory: entries are trivially copyable, so realloc may move them
// (and remap a large buffer instead of copying it).
static_assert(std::is_trivially_copyable_v<EventEntry>);

EventQueue::Bucket::~Bucket() { std::free(begin_); }

void EventQueue::Bucket::grow() {
  size_t n = size();
  size_t cap = begin_ == nullptr ? 8 : 2 * capacity();
  auto* data = static_cast<EventEntry*>(std::realloc(begin_, cap * sizeof(EventEntry)));
  if (data == nullptr) {
    std::fprintf(stderr, "mdsim: out of memory for %zu pending events\n", cap);
    std::abort();
  }
  begin_ = data;
  end_ = data + n;
  limit_ = data + cap;
}

void EventQueue::Bucket::insert(size_t pos, const EventEntry& e) {
  if (full()) grow();
  std::copy_backward(begin_ + pos, end_, end_ + 1);
  begin_[pos] = e;
  ++end_;
}

void EventQueue::Bucket::erase_front(size_t n) { end_ = std::copy(begin_ + n, end_, begin_); }

void EventQueue::Bucket::take_over(Bucket& b) {
  end_ = std::copy(b.begin_, b.end_, begin_);
  swap(b);
}

// Insertion sort of in[0, n), 1 <= n, into out by (time, ord).
static inline void sort_small(const EventEntry* in, size_t n, EventEntry* out) {
  out[0] = in[0];
  for (size_t m = 1; m < n; ++m) {
    const EventEntry& e = in[m];
    EventEntry* p = out + m;
    while (p > out && ByTimeOrd()(e, p[-1])) {
      *p = p[-1];
      --p;
    }
    *p = e;
  }
}

int EventQueue::lowest(int from_word, int to_word) const {
  for (int w = from_word; w < to_word; ++w) {
    if (occupied_[w] != 0) return w * 64 + __builtin_ctzll(occupied_[w]);
  }
  return -1;
}

void EventQueue::push_slow(Time time, uint64_t ord, EventFn fn, void* ctx) {
  if (time < cur_) rewind(time);
  place(time, ord, fn, ctx);
}

void EventQueue::place(Time time, uint64_t ord, EventFn fn, void* ctx) {
  uint64_t t = static_cast<uint64_t>(time);
  uint64_t x = t ^ static_cast<uint64_t>(cur_);
  if (x < kSlots) {
    place_late(time, ord, fn, ctx);
    return;
  }
  size_t i = slot_index(t, x);
  Bucket& b = slot_[i];
  if (b.full()) {
    // Trade up to a larger spare buffer if there is one; the small one is freed.
    if (!spare_.empty() && spare_.back().capacity() > b.capacity()) {
      spare_.back().take_over(b);
      spare_.pop_back();
    } else {
      b.grow();
    }
  }
  mark(i);
  b.append_unchecked(time, ord, fn, ctx);
}

void EventQueue::place_late(Time time, uint64_t ord, EventFn fn, void* ctx) {
  // Into the run if that moves at most kRunInsert entries; no calls but tail calls, so that
  // this needs no saved registers.
  EventEntry* run = run_.data();
  size_t head = run_head_;
  size_t end = run_end_;
  if (head == end) {
    // The run is used up (its buffer always has room for one).
    run_head_ = 0;
    run_end_ = 1;
    write(run[0], time, ord, fn, ctx);
    return;
  }
  if (head > 0 && precedes(time, ord, run[head])) {
    // Before the whole run, e.g. a higher priority at the current time: take the place of the
    // last popped entry.
    run_head_ = head - 1;
    write(run[head - 1], time, ord, fn, ctx);
    return;
  }
  if (end - head <= kRunInsert || !precedes(time, ord, run[end - kRunInsert])) {
    if (end == run_.size()) [[unlikely]] {
      return make_run_room(time, ord, fn, ctx);
    }
    size_t p = end;
    for (; p > head && precedes(time, ord, run[p - 1]); --p) run[p] = run[p - 1];
    write(run[p], time, ord, fn, ctx);
    run_end_ = end + 1;
    return;
  }
  return place_level0(time, ord, fn, ctx);
}

void EventQueue::make_run_room(Time time, uint64_t ord, EventFn fn, void* ctx) {
  // The run's buffer is full: make room at its back, then try again.
  if (run_head_ > 0) {
    std::copy(run_.begin() + static_cast<ptrdiff_t>(run_head_), run_.end(), run_.begin());
    run_end_ -= run_head_;
    run_head_ = 0;
  } else {
    run_.resize(2 * run_.size());
  }
  place_late(time, ord, fn, ctx);
}

void EventQueue::place_level0(Time time, uint64_t ord, EventFn fn, void* ctx) {
  // Into level 0. The common case, a later time than the earliest late entry into a bucket
  // with room, makes no calls but tail calls.
  uint64_t t = static_cast<uint64_t>(time);
  size_t s = t & (kSlots - 1);
  Bucket& v = slot_[s];
  if (t <= late_ || v.full()) [[unlikely]] {
    return place_level0_slow(time, ord, fn, ctx);
  }
  mark(s);
  v.append_unchecked(time, ord, fn, ctx);
}

void EventQueue::place_level0_slow(Time time, uint64_t ord, EventFn fn, void* ctx) {
  uint64_t t = static_cast<uint64_t>(time);
  size_t s = t & (kSlots - 1);
  Bucket& v = slot_[s];
  if (t == late_) {
    // The earliest late slot, possibly partly popped: keep it sorted by ord.
    if (ord < v[v.size() - 1].ord) {
      EventEntry e{time, ord, fn, ctx};
      EventEntry* pos = std::upper_bound(v.begin() + late_head_, v.end(), e, ByOrd());
      v.insert(static_cast<size_t>(pos - v.begin()), e);
      late_ord_ = v[late_head_].ord;
      return;
    }
  } else if (t < late_) {
    // A new earliest late time (its slot is empty). Drop the popped prefix of the old one.
    if (late_head_ > 0) {
      slot_[late_ & (kSlots - 1)].erase_front(late_head_);
      late_head_ = 0;
    }
    late_ = t;
    late_ord_ = ord;
  }
  mark(s);
  v.append(time, ord, fn, ctx);
}

EventEntry EventQueue::pop_slow() {
  if (late_ == kNoLate) {
    if (run_head_ == run_end_) advance();
    // Opening a level >= 2 slot may fill both the run and level 0.
    if (late_ == kNoLate || (run_head_ < run_end_ && run_first())) return run_[run_head_++];
  }
  // The earliest late entry is due.
  Bucket& v = slot_[late_ & (kSlots - 1)];
  EventEntry e = v[late_head_++];
  if (late_head_ < v.size()) {
    late_ord_ = v[late_head_].ord;
  } else {
    next_late();
  }
  return e;
}

void EventQueue::next_late() {
  // The earliest late slot is used up: move on to the next one.
  int s = static_cast<int>(late_ & (kSlots - 1));
  slot_[s].clear();
  unmark(s);
  late_head_ = 0;
  s = lowest(s / 64, kSlots / 64);  // every late entry is >= late_
  if (s < 0) {
    late_ = late_ord_ = kNoLate;
    return;
  }
  late_ = (static_cast<uint64_t>(cur_) & ~uint64_t{kSlots - 1}) | static_cast<uint64_t>(s);
  Bucket& v = slot_[s];
  if (!std::is_sorted(v.begin(), v.end(), ByOrd())) std::sort(v.begin(), v.end(), ByOrd());
  late_ord_ = v[0].ord;
}

void EventQueue::advance() {
  // The run and level 0 are empty: open the lowest occupied slot of the lowest level. The
  // common case, a level-1 slot of up to kSmallRun entries, makes no calls but tail calls.
  unsigned i = static_cast<unsigned>(lowest(kSlots / 64, kWords));
  if (i - kSlots >= kSlots) [[unlikely]] {
    return advance_upper(static_cast<int>(i));
  }
  // Level-1 slot i becomes the current window and its entries the run.
  unmark(i);
  cur_ = static_cast<Time>((static_cast<uint64_t>(cur_) & ~uint64_t{0xffff}) |
                           static_cast<uint64_t>(i & (kSlots - 1)) << 8);
  Bucket& src = slot_[i];
  size_t n = src.size();
  if (n > kSmallRun || src.capacity() >= kSpareMin) [[unlikely]] {
    return build_run(src);
  }
  const EventEntry* in = src.begin();
  src.clear();  // its entries stay readable until the next push
  run_head_ = 0;
  run_end_ = n;
  sort_small(in, n, run_.data());
}

void EventQueue::advance_upper(int i) {
  // A level-k >= 2 slot (or none at all, i < 0): redistribute it, then carry on unless entries
  // landed in the current window.
  if (i < 0) {
    std::fprintf(stderr, "mdsim: internal error: pop from an empty event queue\n");
    std::abort();
  }
  unmark(i);
  int k = i / kSlots;
  // cur_ becomes the start of the slot, so every entry in it lands below level k.
  int above = 8 * (k + 1);
  uint64_t high = k == kLevels - 1 ? 0 : static_cast<uint64_t>(cur_) >> above << above;
  cur_ = static_cast<Time>(high | static_cast<uint64_t>(i % kSlots) << (8 * k));
  Bucket& src = slot_[i];
  if (k == 2) {
    // Every entry lands in level 1 or in the current window.
    uint64_t c = static_cast<uint64_t>(cur_);
    for (const EventEntry* e = src.begin(); e != src.end(); ++e) {
      uint64_t t = static_cast<uint64_t>(e->time);
      if ((t ^ c) < kSlots) {
        place_late(e->time, e->ord, e->fn, e->ctx);
        continue;
      }
      size_t j = kSlots | ((t >> 8) & (kSlots - 1));
      Bucket& b = slot_[j];
      if (b.full()) [[unlikely]] {
        place(e->time, e->ord, e->fn, e->ctx);
        continue;
      }
      mark(j);
      b.append_copy(*e);
    }
  } else {
    for (const EventEntry& e : src) place(e.time, e.ord, e.fn, e.ctx);  // lands below k
  }
  src.clear();
  if (src.capacity() >= kSpareMin) keep_spare(src);
  if (run_head_ != run_end_ || late_ != kNoLate) return;
  return advance();
}

void EventQueue::keep_spare(Bucket& src) { spare_.push_back(std::move(src)); }

void EventQueue::build_run(Bucket& src) {
  size_t n = src.size();
  if (run_.size() < n) run_.resize(std::max(n, 2 * run_.size()));
  EventEntry* out = run_.data();
  run_head_ = 0;
  run_end_ = n;
  if (n <= kSmallRun) {
    sort_small(src.begin(), n, out);
    src.clear();
    if (src.capacity() >= kSpareMin) keep_spare(src);
    return;
  }
  // Counting sort on the low time byte, stable: if src is in ord order, so is every time.
  std::array<uint32_t, kSlots> at{};
  uint64_t prev = 0;
  bool ordered = true;
  for (const EventEntry& e : src) {
    ++at[key(e) & (kSlots - 1)];
    if (e.ord < prev) [[unlikely]] {
      ordered = false;
    }
    prev = e.ord;
  }
  uint32_t sum = 0;
#pragma GCC unroll 8
  for (uint32_t& c : at) {
    uint32_t count = c;
    c = sum;
    sum += count;
  }
  for (const EventEntry& e : src) out[at[key(e) & (kSlots - 1)]++] = e;
  src.clear();
  if (src.capacity() >= kSpareMin) keep_spare(src);
  if (ordered) return;
  // Priorities were mixed out of order: sort each timestamp's entries by ord.
  for (size_t i = 0, j; i < n; i = j) {
    for (j = i + 1; j < n && out[j].time == out[i].time;) ++j;
    if (j - i > 1) std::sort(out + i, out + j, ByOrd());
  }
}

void EventQueue::rewind(Time t) {
  // Re-bucket everything relative to the new, lower time. Only reachable after run_until
  // stopped before the next event and the caller then scheduled in between.
  std::vector<EventEntry> all(run_.begin() + static_cast<ptrdiff_t>(run_head_),
                              run_.begin() + static_cast<ptrdiff_t>(run_end_));
  run_head_ = run_end_ = 0;
  for (int i = 0; i < kLevels * kSlots; ++i) {
    Bucket& v = slot_[i];
    bool late_slot = late_ != kNoLate && i == static_cast<int>(late_ & (kSlots - 1));
    all.insert(all.end(), v.begin() + (late_slot ? late_head_ : 0), v.end());
    v.clear();
  }
  occupied_ = {};
  late_ = late_ord_ = kNoLate;
  late_head_ = 0;
  cur_ = t;
  // Sorting by (time, ord) leaves every slot in ord order, as build_run and level 0 expect.
  std::sort(all.begin(), all.end(), ByTimeOrd());
  for (const EventEntry& e : all) place(e.time, e.ord, e.fn, e.ctx);
}

}  // namespace mdsim
