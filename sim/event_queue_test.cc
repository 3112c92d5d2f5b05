// EventQueue against a reference ordered set: random times, priorities and run_until-style
// rewinds must pop in exactly (time, priority, sequence) order.
#include "sim/event_queue.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "sim/random.h"

namespace mdsim {
namespace {

using Key = std::tuple<Time, uint64_t>;

void noop(void*) {}

class Reference {
 public:
  void push(Time t, uint64_t ord) { set_.insert({t, ord}); }
  Key pop() {
    Key k = *set_.begin();
    set_.erase(set_.begin());
    return k;
  }
  bool empty() const { return set_.empty(); }

 private:
  std::set<Key> set_;
};

// Drives both queues with the same operations; delays span ns to seconds so every level of the
// radix structure is exercised.
void fuzz(uint64_t seed, int ops, int prios, bool rewinds) {
  Rng rng(seed);
  EventQueue q;
  Reference ref;
  uint64_t seq = 0;
  Time now = 0;
  for (int i = 0; i < ops; ++i) {
    int action = static_cast<int>(rng.below(10));
    if (action < 6 || q.empty()) {
      int scale = static_cast<int>(rng.below(40));
      Time t = now + static_cast<Time>(rng.below(uint64_t{1} << scale));
      uint64_t prio = prios > 1 ? rng.below(static_cast<uint64_t>(prios)) : 0;
      uint64_t ord = (prio << 56) | seq++;
      q.push(t, ord, &noop, nullptr);
      ref.push(t, ord);
    } else if (rewinds && action == 9) {
      // Peek (commits the queue's internal cursor), then schedule before the peeked time.
      Time top = q.top_time();
      if (top > now) {
        Time t = now + static_cast<Time>(rng.below(static_cast<uint64_t>(top - now)));
        uint64_t ord = seq++;
        q.push(t, ord, &noop, nullptr);
        ref.push(t, ord);
      }
    } else {
      EventEntry e = q.pop();
      Key want = ref.pop();
      ASSERT_EQ(e.time, std::get<0>(want)) << "op " << i;
      ASSERT_EQ(e.ord, std::get<1>(want)) << "op " << i;
      now = e.time;
    }
    ASSERT_EQ(q.size() == 0, ref.empty());
  }
  while (!q.empty()) {
    EventEntry e = q.pop();
    Key want = ref.pop();
    ASSERT_EQ(e.time, std::get<0>(want));
    ASSERT_EQ(e.ord, std::get<1>(want));
  }
}

TEST(EventQueue, MatchesReferenceOneLevel) { fuzz(1, 200000, 1, false); }
TEST(EventQueue, MatchesReferenceMixedPriorities) { fuzz(2, 200000, 4, false); }
TEST(EventQueue, MatchesReferenceWithRewinds) { fuzz(3, 30000, 3, true); }

TEST(EventQueue, SameTimeFifoWithinPriority) {
  EventQueue q;
  for (uint64_t s = 0; s < 1000; ++s) q.push(5, (uint64_t{s % 2} << 56) | s, &noop, nullptr);
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

TEST(EventQueue, FarFutureAndHugeTimes) {
  EventQueue q;
  q.push(kTimeMax, 0, &noop, nullptr);
  q.push(1, 1, &noop, nullptr);
  q.push(kTimeMax - 1, 2, &noop, nullptr);
  EXPECT_EQ(q.pop().time, 1);
  EXPECT_EQ(q.pop().time, kTimeMax - 1);
  EXPECT_EQ(q.pop().time, kTimeMax);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace mdsim
