// EventQueue against a reference ordered set: random times, priorities, hold-model traffic and
// pushes below the current time must pop in exactly (time, priority, sequence) order.
#include "sim/event_queue.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "sim/random.h"

namespace mdsim {
namespace {

using Key = std::tuple<Time, uint64_t>;

void noop(void*) {}

uint64_t make_ord(uint64_t prio, uint64_t seq) { return (prio << 56) | seq; }

// The queue under test and a std::set driven in lockstep.
class Checked {
 public:
  void push(Time t, uint64_t ord) {
    q_.push(t, ord, &noop, reinterpret_cast<void*>(ord));
    ref_.insert({t, ord});
  }
  // Pops from both and checks they agree; returns the popped time. Peeks first on every
  // third pop only, since peeking moves the queue's cursor ahead of pop().
  Time pop() {
    EXPECT_FALSE(ref_.empty());
    if (++pops_ % 3 == 0) {
      EXPECT_EQ(q_.top_time(), std::get<0>(*ref_.begin()));
    }
    EventEntry e = q_.pop();
    Key want = *ref_.begin();
    ref_.erase(ref_.begin());
    EXPECT_EQ(e.time, std::get<0>(want));
    EXPECT_EQ(e.ord, std::get<1>(want));
    EXPECT_EQ(e.fn, &noop);
    EXPECT_EQ(e.ctx, reinterpret_cast<void*>(e.ord));
    EXPECT_EQ(q_.size(), ref_.size());
    return e.time;
  }
  Time top_time() { return q_.top_time(); }
  // pop_until(t): pops the earliest entry if it is due by t; checks it against the reference.
  bool pop_until(Time t) {
    EventEntry e{};
    const bool popped = q_.pop_until(t, &e);
    const bool due = !ref_.empty() && std::get<0>(*ref_.begin()) <= t;
    EXPECT_EQ(popped, due);
    if (popped && due) {
      Key want = *ref_.begin();
      ref_.erase(ref_.begin());
      EXPECT_EQ(e.time, std::get<0>(want));
      EXPECT_EQ(e.ord, std::get<1>(want));
    }
    EXPECT_EQ(q_.size(), ref_.size());
    return popped;
  }
  bool empty() const {
    EXPECT_EQ(q_.empty(), ref_.empty());
    return ref_.empty();
  }
  void drain() {
    while (!empty() && !::testing::Test::HasFailure()) pop();
  }

 private:
  EventQueue q_;
  std::set<Key> ref_;
  int pops_ = 0;
};

// Random operations; delays span ns to about 10^12 ns so every level is exercised. With
// rewinds, pushes may also land anywhere in [0, top_time()), including below the last popped
// time.
void fuzz(uint64_t seed, int ops, int prios, bool rewinds) {
  Rng rng(seed);
  Checked q;
  uint64_t seq = 0;
  Time now = 0;
  for (int i = 0; i < ops && !::testing::Test::HasFailure(); ++i) {
    int action = static_cast<int>(rng.below(10));
    uint64_t prio = prios > 1 ? rng.below(static_cast<uint64_t>(prios)) : 0;
    if (action < 6 || q.empty()) {
      int scale = static_cast<int>(rng.below(40));
      q.push(now + static_cast<Time>(rng.below(uint64_t{1} << scale)), make_ord(prio, seq++));
    } else if (rewinds && action == 9) {
      // Peek (commits the queue's internal cursor), then schedule before the peeked time.
      Time top = q.top_time();
      Time from = rng.below(2) == 0 ? now : 0;
      if (top > from) {
        Time t = from + static_cast<Time>(rng.below(static_cast<uint64_t>(top - from)));
        q.push(t, make_ord(prio, seq++));
      }
    } else {
      now = q.pop();
    }
  }
  q.drain();
}

TEST(EventQueue, MatchesReferenceOneLevel) { fuzz(1, 200000, 1, false); }
TEST(EventQueue, MatchesReferenceMixedPriorities) { fuzz(2, 200000, 4, false); }
TEST(EventQueue, MatchesReferenceWithRewinds) { fuzz(3, 30000, 3, true); }
TEST(EventQueue, MatchesReferenceWithRewindsAndPriorities) { fuzz(4, 30000, 4, true); }

// The hold model: a fixed population where every pop schedules one entry a short random delay
// later. Dense populations put many entries on each timestamp, so this exercises the sorted
// runs, entries pushed into the current window (delay 0 included) and ties between the two.
void hold(uint64_t seed, int population, int steps, uint64_t max_delay, int prios) {
  Rng rng(seed);
  Checked q;
  uint64_t seq = 0;
  auto next_ord = [&] {
    uint64_t prio = prios > 1 ? rng.below(static_cast<uint64_t>(prios)) : 0;
    return make_ord(prio, seq++);
  };
  for (int i = 0; i < population; ++i) {
    q.push(static_cast<Time>(rng.below(max_delay)), next_ord());
  }
  for (int i = 0; i < steps && !::testing::Test::HasFailure(); ++i) {
    Time now = q.pop();
    q.push(now + static_cast<Time>(rng.below(max_delay)), next_ord());
  }
  q.drain();
}

TEST(EventQueue, HoldSparse) { hold(5, 100, 100000, 3000, 1); }
TEST(EventQueue, HoldDense) { hold(6, 2000, 100000, 2000, 1); }
TEST(EventQueue, HoldDensePriorities) { hold(7, 2000, 100000, 2000, 3); }
TEST(EventQueue, HoldVeryDensePriorities) { hold(8, 20000, 100000, 300, 4); }
TEST(EventQueue, HoldWide) { hold(9, 1000, 100000, uint64_t{1} << 24, 2); }

// A storage-like sparse workload: few pending entries, so most windows hold one or a few; each
// pop schedules 0-2 entries: at the current time (priorities 64, 128, 192), a few hundred ns
// ahead or tens to hundreds of microseconds ahead. Exercises entries placed straight into the
// run (appended, shifted in, or in front of its head), small windows and level-2 slots
// redistributed into level 1 and the current window.
void sparse(uint64_t seed, int population, int steps) {
  Rng rng(seed);
  Checked q;
  uint64_t seq = 0;
  const uint64_t prios[] = {64, 128, 192};
  auto push_after = [&](Time now) {
    uint64_t u = rng.below(10);
    Time delay = u < 4   ? 0
                 : u < 7 ? static_cast<Time>(rng.below(600))
                 : u < 9 ? static_cast<Time>(10000 + rng.below(300000))
                         : static_cast<Time>(rng.below(uint64_t{1} << 24));
    q.push(now + delay, make_ord(prios[rng.below(3)], seq++));
  };
  for (int i = 0; i < population; ++i) push_after(0);
  for (int i = 0; i < steps && !::testing::Test::HasFailure(); ++i) {
    Time now = q.pop();
    int n = static_cast<int>(rng.below(3));
    if (q.empty() && n == 0) n = 1;
    for (int j = 0; j < n; ++j) push_after(now);
  }
  q.drain();
}

TEST(EventQueue, SparseStorageLike) { sparse(11, 8, 200000); }
TEST(EventQueue, SparseStorageLikeWider) { sparse(12, 60, 200000); }

TEST(EventQueue, LateEntriesIntoTheRun) {
  // A window of a few entries; entries pushed into it after it opened go straight into the run:
  // after its last entry, in between (shifting up to kRunInsert entries), in front of its head
  // (a higher priority at the current time) and into a used-up run.
  Checked q;
  uint64_t seq = 0;
  for (Time t : {1000, 1010, 1020, 1030}) q.push(t, make_ord(128, seq++));
  EXPECT_EQ(q.pop(), 1000);
  q.push(1100, make_ord(128, seq++));  // after the last entry
  q.push(1015, make_ord(128, seq++));  // in between
  q.push(1000, make_ord(64, seq++));   // at the current time, before the head
  q.push(1000, make_ord(128, seq++));  // at the current time, same priority: also first
  q.push(1010, make_ord(64, seq++));   // ties with the head, higher priority
  q.push(1010, make_ord(192, seq++));  // ties with the head, lower priority
  EXPECT_EQ(q.pop(), 1000);
  EXPECT_EQ(q.pop(), 1000);
  while (q.top_time() < 1100) q.pop();
  EXPECT_EQ(q.pop(), 1100);  // the run is used up
  q.push(1100, make_ord(128, seq++));
  q.push(1100, make_ord(192, seq++));
  q.push(1100, make_ord(64, seq++));
  q.push(1200, make_ord(64, seq++));
  q.drain();
}

TEST(EventQueue, LateEntriesDeepInALongRun) {
  // A long run: entries that would move more than kRunInsert run entries go to level 0 instead
  // and are merged with the run on pop, including ties at equal times in either order.
  Checked q;
  uint64_t seq = 0;
  for (Time t = 0; t < 200; ++t) q.push(256 + t, make_ord(128, seq++));
  EXPECT_EQ(q.pop(), 256);
  for (Time t = 0; t < 200; t += 7) {
    q.push(257 + t, make_ord(64, seq++));
    q.push(257 + t, make_ord(192, seq++));
    q.push(300 + t / 3, make_ord(128, seq++));
  }
  for (int i = 0; i < 50; ++i) q.pop();
  for (Time t = 320; t < 512; t += 5) q.push(t, make_ord(static_cast<uint64_t>(t % 3) * 64, seq++));
  q.drain();
}

TEST(EventQueue, EarlierLateEntryAfterPartlyPoppedLevelZero) {
  // A run nothing was popped from yet, late entries before all of it in level 0, one of them
  // popped; then (after a peek, as run_until does) an entry before the remaining ones.
  Checked q;
  uint64_t seq = 0;
  q.push(256, make_ord(128, seq++));
  EXPECT_EQ(q.pop(), 256);
  for (Time t = 400; t < 420; ++t) q.push(t, make_ord(128, seq++));  // the run, from index 0
  q.push(300, make_ord(128, seq++));  // too deep for the run: level 0
  q.push(300, make_ord(192, seq++));
  q.push(350, make_ord(128, seq++));
  EXPECT_EQ(q.pop(), 300);
  EXPECT_EQ(q.top_time(), 300);
  q.push(299, make_ord(128, seq++));  // a new earliest level-0 time
  q.push(300, make_ord(64, seq++));
  q.drain();
}

TEST(EventQueue, RunBufferFills) {
  // Windows of exactly the run buffer's initial size, then late entries near their end: the run
  // must grow (nothing popped yet) or move down (some popped).
  for (int popped : {0, 1, 5}) {
    Checked q;
    uint64_t seq = 0;
    for (Time t = 0; t < 16; ++t) q.push(512 + 2 * t, make_ord(128, seq++));
    q.top_time();  // opens the window
    for (int i = 0; i < popped; ++i) q.pop();
    for (int i = 0; i < 40; ++i) q.push(560 + i, make_ord(128, seq++));
    q.push(541, make_ord(64, seq++));
    q.drain();
  }
}

TEST(EventQueue, LevelTwoSlotsIntoLevelOne) {
  // Entries more than 64 us ahead wait in level 2; opening such a slot moves them to level 1
  // or the current window, including buckets that must grow and mixed priorities.
  Checked q;
  uint64_t seq = 0;
  Rng rng(13);
  for (int round = 0; round < 20; ++round) {
    Time base = (Time{round} + 1) << 16;
    for (int i = 0; i < 300; ++i) {
      // Many entries in a few level-1 slots, some in the slot's first window.
      Time t = base + static_cast<Time>(rng.below(4) << 8 | rng.below(256));
      q.push(t, make_ord(rng.below(3) * 64, seq++));
    }
    for (int i = 0; i < 150; ++i) q.pop();
  }
  q.drain();
}

TEST(EventQueue, SameTimeFifoWithinPriority) {
  EventQueue q;
  for (uint64_t s = 0; s < 1000; ++s) q.push(5, make_ord(s % 2, s), &noop, nullptr);
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    EventEntry e = q.pop();
    EXPECT_EQ(e.time, 5);
    if (i > 0) {
      EXPECT_LT(last, e.ord);
    }
    last = e.ord;
  }
}

TEST(EventQueue, HigherPriorityPushedAtTheCurrentTime) {
  // Entries pushed at the time being popped, with a higher priority than the rest, come next.
  Checked q;
  uint64_t seq = 0;
  for (int i = 0; i < 10; ++i) q.push(1000, make_ord(2, seq++));
  q.pop();
  q.pop();
  q.push(1000, make_ord(1, seq++));
  q.push(1000, make_ord(3, seq++));
  q.push(1000, make_ord(0, seq++));
  q.pop();
  // Now through the late path: the window of time 1000 is open, 1001 is pushed after it.
  for (int i = 0; i < 5; ++i) q.push(1001, make_ord(2, seq++));
  q.drain();
  for (int i = 0; i < 5; ++i) q.push(2001, make_ord(2, seq++));
  EXPECT_EQ(q.pop(), 2001);
  q.push(2001, make_ord(1, seq++));
  q.push(2002, make_ord(0, seq++));
  q.push(2001, make_ord(3, seq++));
  q.drain();
}

TEST(EventQueue, SlotWithDescendingPriorities) {
  // One window of 256 ns filled with priorities that descend in push order: the counting sort
  // must fall back to a full sort.
  Checked q;
  uint64_t seq = 0;
  q.push(0, make_ord(0, seq++));
  q.pop();
  for (int p = 255; p >= 0; --p) {
    for (Time t = 0; t < 3; ++t) q.push(512 + t * 7, make_ord(static_cast<uint64_t>(p), seq++));
  }
  q.drain();
}

TEST(EventQueue, PopUntilStopsAtTheBound) {
  // Simulator::run_until's loop: pop what is due by a bound, push in between (some entries at
  // the stopping point, some earlier than the next due one, some far ahead), move the bound on.
  Checked q;
  Rng rng = RandomStreams(13).stream("q");
  uint64_t seq = 0;
  Time bound = 0;
  for (int i = 0; i < 200; ++i) q.push(static_cast<Time>(rng.below(1000000)), make_ord(1, seq++));
  for (int round = 0; round < 3000 && !::testing::Test::HasFailure(); ++round) {
    bound += static_cast<Time>(rng.below(5000));
    Time last = bound;
    for (int k = 0; k < 50 && q.pop_until(bound); ++k) {
      // Each popped entry schedules a follow-up, as an event would.
      q.push(bound + static_cast<Time>(rng.below(3) == 0 ? 0 : rng.below(400000)),
             make_ord(rng.below(3), seq++));
    }
    // Stopped at the bound (or after 50 pops): the caller may schedule at or after it.
    q.push(last + static_cast<Time>(rng.below(300)), make_ord(rng.below(3), seq++));
  }
  q.drain();
}

TEST(EventQueue, PushBelowLastPopped) {
  Checked q;
  uint64_t seq = 0;
  for (Time t : {100, 300, 70000, 5000000}) q.push(t, make_ord(0, seq++));
  EXPECT_EQ(q.pop(), 100);
  EXPECT_EQ(q.top_time(), 300);
  q.push(50, make_ord(0, seq++));   // below the last popped time, same window
  q.push(200, make_ord(0, seq++));  // between it and the next
  EXPECT_EQ(q.pop(), 50);
  EXPECT_EQ(q.pop(), 200);
  EXPECT_EQ(q.pop(), 300);
  EXPECT_EQ(q.top_time(), 70000);
  q.push(5, make_ord(0, seq++));  // below the current window: re-buckets everything
  q.push(69999, make_ord(0, seq++));
  q.drain();
}

TEST(EventQueue, LargeBurstInOneSlot) {
  // More entries than any initial capacity in one slot, one window and one timestamp.
  Checked q;
  uint64_t seq = 0;
  for (int i = 0; i < 50000; ++i) q.push(1 << 20 | (i % 256), make_ord(0, seq++));
  for (int i = 0; i < 20000; ++i) q.push(777, make_ord(0, seq++));
  for (int i = 0; i < 30000; ++i) q.pop();
  for (int i = 0; i < 20000; ++i) q.push((1 << 20) + 100, make_ord(0, seq++));
  q.drain();
}

TEST(EventQueue, FarFutureAndHugeTimes) {
  Checked q;
  q.push(kTimeMax, 0);
  q.push(1, 1);
  q.push(kTimeMax - 1, 2);
  q.push(kTimeMax, make_ord(0, 3));
  q.push(Time{1} << 62, 4);
  q.push((Time{1} << 62) + 255, 5);
  EXPECT_EQ(q.pop(), 1);
  EXPECT_EQ(q.pop(), Time{1} << 62);
  q.push(kTimeMax - 1, 6);
  q.drain();
}

TEST(EventQueue, RefillsAfterDraining) {
  // Emptied slots hand their buffers on; the queue must stay correct across many drains.
  Checked q;
  uint64_t seq = 0;
  Time now = 0;
  Rng rng(10);
  for (int round = 0; round < 50; ++round) {
    int n = static_cast<int>(rng.below(3000));
    for (int i = 0; i < n; ++i) {
      q.push(now + static_cast<Time>(rng.below(uint64_t{1} << rng.below(30))), make_ord(0, seq++));
    }
    while (!q.empty()) now = q.pop();
  }
}

}  // namespace
}  // namespace mdsim
