// Radix-256 event queue: see event_queue.h.
#include "sim/event_queue.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace mdsim {

namespace {
bool by_ord(const EventEntry& a, const EventEntry& b) { return a.ord < b.ord; }
}  // namespace

void EventQueue::insert_now(const EventEntry& e) {
  if (now_head_ == now_.size()) {
    now_.clear();
    now_head_ = 0;
  }
  if (now_.size() == now_head_ || now_.back().ord < e.ord) {
    now_.push_back(e);
    return;
  }
  // A higher-priority entry at the current time: insert in order (rare).
  auto pos = std::upper_bound(now_.begin() + static_cast<ptrdiff_t>(now_head_), now_.end(), e,
                              by_ord);
  now_.insert(pos, e);
}

void EventQueue::advance() {
  if (level_mask_ == 0) {
    std::fprintf(stderr, "mdsim: internal error: pop from an empty event queue\n");
    std::abort();
  }
  now_.clear();
  now_head_ = 0;
  for (;;) {
    int k = __builtin_ctz(level_mask_);
    Level& l = levels_[k];
    int w = __builtin_ctz(l.words);
    uint64_t& word = l.occupied[w];
    int s = w * 64 + __builtin_ctzll(word);
    word &= word - 1;
    if (word == 0) {
      l.words &= ~(1u << w);
      if (l.words == 0) level_mask_ &= ~(1u << k);
    }
    std::vector<EventEntry>& src = l.slot[s];
    if (k == 0) {
      // One timestamp: the slot becomes the now run.
      cur_ = (cur_ & ~Time{0xff}) | s;
      now_.swap(src);
      if (!std::is_sorted(now_.begin(), now_.end(), by_ord)) {
        std::sort(now_.begin(), now_.end(), by_ord);
      }
      return;
    }
    cur_ = l.min[s];
    for (const EventEntry& e : src) place(e);  // every entry lands below level k
    src.clear();
    if (now_head_ < now_.size()) return;
  }
}

void EventQueue::rewind(Time t) {
  // Re-bucket everything relative to the new, lower time. Only reachable after run_until
  // stopped before the next event and the caller then scheduled in between.
  std::vector<EventEntry> all(now_.begin() + static_cast<ptrdiff_t>(now_head_), now_.end());
  for (Level& l : levels_) {
    for (auto& v : l.slot) {
      all.insert(all.end(), v.begin(), v.end());
      v.clear();
    }
    l.occupied = {};
    l.words = 0;
  }
  level_mask_ = 0;
  now_.clear();
  now_head_ = 0;
  cur_ = t;
  // Sorting by (time, ord) keeps every slot in sequence order, as place() expects.
  std::sort(all.begin(), all.end(), [](const EventEntry& a, const EventEntry& b) {
    return a.time < b.time || (a.time == b.time && a.ord < b.ord);
  });
  for (const EventEntry& e : all) place(e);
}

}  // namespace mdsim
