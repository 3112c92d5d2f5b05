// fio's value syntax: the HOWTO's own examples for both kb_base settings, times with every unit
// and the option's default, ranges, percentages, booleans, and the errors.
#include "workloads/fio_value.h"

#include <gtest/gtest.h>

namespace mdsim {
namespace {

TEST(FioValue, SizesWithKbBase1024AsTheHowtoExamples) {
  for (const char* v : {"4096", "4096b", "4096B", "4k", "4kb", "4kB", "4K", "4KB"}) {
    EXPECT_EQ(parse_fio_size(v), 4096u) << v;
  }
  for (const char* v : {"1048576", "1m", "1024k"}) EXPECT_EQ(parse_fio_size(v), 1048576u) << v;
  for (const char* v : {"1000000", "1mi", "1000ki"}) EXPECT_EQ(parse_fio_size(v), 1000000u) << v;
  for (const char* v : {"1099511627776", "1t", "1024g", "1048576m"}) {
    EXPECT_EQ(parse_fio_size(v), 1099511627776u) << v;
  }
  EXPECT_EQ(parse_fio_size("1ti"), 1000000000000u);
  EXPECT_EQ(parse_fio_size("1p"), 1125899906842624u);
}

TEST(FioValue, SizesWithKbBase1000AsTheHowtoExamples) {
  for (const char* v : {"4096", "4096b", "4ki", "4kib", "4kiB", "4Ki", "4KiB"}) {
    EXPECT_EQ(parse_fio_size(v, 1000), 4096u) << v;
  }
  for (const char* v : {"1048576", "1mi", "1024ki"}) {
    EXPECT_EQ(parse_fio_size(v, 1000), 1048576u) << v;
  }
  for (const char* v : {"1000000", "1m", "1000k"}) EXPECT_EQ(parse_fio_size(v, 1000), 1000000u);
}

TEST(FioValue, HexSpacesAndFractions) {
  EXPECT_EQ(parse_fio_size("0x10"), 16u);
  EXPECT_EQ(parse_fio_size("0x10k"), 16384u);
  EXPECT_EQ(parse_fio_size(" 4 k "), 4096u);
  EXPECT_EQ(parse_fio_size("1.5k"), 1536u);
  EXPECT_EQ(parse_fio_size("0.5m"), 524288u);
  EXPECT_EQ(parse_fio_int("32", 1, 65536), 32);
  EXPECT_EQ(parse_fio_int("-3", -5, 5), -3);
}

TEST(FioValue, TimesUseTheOptionsDefaultUnitWithoutASuffix) {
  EXPECT_EQ(parse_fio_time("10", kSecond), 10 * kSecond);            // runtime
  EXPECT_EQ(parse_fio_time("10", kMicrosecond), 10 * kMicrosecond);  // thinktime
  EXPECT_EQ(parse_fio_time("10m", kMicrosecond), 600 * kSecond);
  EXPECT_EQ(parse_fio_time("2h", kSecond), 7200 * kSecond);
  EXPECT_EQ(parse_fio_time("1d", kSecond), 86400 * kSecond);
  EXPECT_EQ(parse_fio_time("5ms", kSecond), 5 * kMillisecond);
  EXPECT_EQ(parse_fio_time("5MSEC", kSecond), 5 * kMillisecond);
  EXPECT_EQ(parse_fio_time("7us", kSecond), 7 * kMicrosecond);
  EXPECT_EQ(parse_fio_time("7usec", kSecond), 7 * kMicrosecond);
  EXPECT_EQ(parse_fio_time("3sec", kMicrosecond), 3 * kSecond);
  EXPECT_EQ(parse_fio_time("1.5s", kSecond), 1500 * kMillisecond);
}

TEST(FioValue, RangesPercentsAndBooleans) {
  EXPECT_EQ(parse_fio_size_range("1k-4k"), (std::pair<uint64_t, uint64_t>{1024, 4096}));
  EXPECT_EQ(parse_fio_size_range("4k:1k"), (std::pair<uint64_t, uint64_t>{1024, 4096}));
  EXPECT_EQ(parse_fio_size_range("8k"), (std::pair<uint64_t, uint64_t>{8192, 8192}));
  EXPECT_EQ(parse_fio_percent("70"), 70);
  EXPECT_EQ(parse_fio_percent("70%"), 70);
  EXPECT_TRUE(parse_fio_bool("1"));
  EXPECT_FALSE(parse_fio_bool(" 0 "));
}

std::string error_of(auto fn) {
  try {
    fn();
  } catch (const FioValueError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FioValue, BadValuesSayWhatIsWrong) {
  EXPECT_EQ(error_of([] { parse_fio_size("4q"); }),
            "\"4q\": unknown unit \"q\" (expected k, m, g, t, p with an optional i and b)");
  EXPECT_EQ(error_of([] { parse_fio_size(""); }), "\"\": empty value");
  EXPECT_EQ(error_of([] { parse_fio_size("k"); }), "\"k\": expected a number");
  EXPECT_EQ(error_of([] { parse_fio_size("-4k"); }), "\"-4k\": must not be negative");
  EXPECT_EQ(error_of([] { parse_fio_size("99999999999999999999"); }),
            "\"99999999999999999999\": number too large");
  EXPECT_EQ(error_of([] { parse_fio_size("20000000p"); }), "\"20000000p\": value too large");
  EXPECT_EQ(error_of([] { parse_fio_size("1.k"); }),
            "\"1.k\": expected digits after the decimal point");
  EXPECT_EQ(error_of([] { parse_fio_time("5y", kSecond); }),
            "\"5y\": unknown time unit \"y\" (expected d, h, m, s, ms or us)");
  EXPECT_EQ(error_of([] { parse_fio_int("0", 1, 4096); }), "\"0\": must be between 1 and 4096");
  EXPECT_EQ(error_of([] { parse_fio_percent("101"); }), "\"101\": must be between 0 and 100");
  EXPECT_EQ(error_of([] { parse_fio_bool("yes"); }), "\"yes\": expected 0 or 1");
  EXPECT_EQ(error_of([] { parse_fio_size_range("-4k"); }),
            "\"-4k\": a range needs a lower bound (lo-hi or lo:hi)");
}

}  // namespace
}  // namespace mdsim
