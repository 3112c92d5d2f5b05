#include "sim/inline_array.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace mdsim {
namespace {

struct Counted {
  static inline int live = 0;
  Counted() { ++live; }
  ~Counted() { --live; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  int value = 7;
};

bool inside(const void* p, const void* obj, size_t size) {
  auto a = reinterpret_cast<uintptr_t>(p), o = reinterpret_cast<uintptr_t>(obj);
  return a >= o && a < o + size;
}

TEST(InlineArray, SmallArraysLiveInsideTheObjectLargeOnesOnTheHeap) {
  InlineArray<Counted, 3> a(3);
  EXPECT_EQ(Counted::live, 3);
  EXPECT_TRUE(inside(a.begin(), &a, sizeof(a)));
  EXPECT_EQ(a[2].value, 7);  // member initialisers run
  a.resize(5);
  EXPECT_EQ(Counted::live, 5);  // the three inline ones were destroyed
  EXPECT_FALSE(inside(a.begin(), &a, sizeof(a)));
  EXPECT_EQ(a.end() - a.begin(), 5);
  a.resize(1);
  EXPECT_EQ(Counted::live, 1);
  EXPECT_TRUE(inside(a.begin(), &a, sizeof(a)));
  a.clear();
  EXPECT_EQ(Counted::live, 0);
  EXPECT_TRUE(a.empty());
}

TEST(InlineArray, DestroysItsElements) {
  {
    InlineArray<Counted, 2> small(2);
    InlineArray<Counted, 2> big(4);
    EXPECT_EQ(Counted::live, 6);
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST(InlineArray, SpansSeeTheElements) {
  InlineArray<int, 4> a(4);
  for (int x : a.span()) EXPECT_EQ(x, 0);  // value-initialised
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<int>(i * i);
  int sum = 0;
  for (int x : a.span()) sum += x;
  EXPECT_EQ(sum, 0 + 1 + 4 + 9);
}

}  // namespace
}  // namespace mdsim
