#include "workloads/trace.h"

#include <gtest/gtest.h>

#include <istream>
#include <string>

#include "workloads/blkparse_trace.h"
#include "workloads/disksim_trace.h"
#include "workloads/iolog.h"

namespace mdsim {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

TEST(Trace, TextParsersSeeTheWholeText) {
  std::string seen;
  parse_trace_text("a b\nc\n", [&](std::istream& in) {
    std::string line;
    while (std::getline(in, line)) seen += line + "|";
    return Trace{};
  });
  EXPECT_EQ(seen, "a b|c|");
}

TEST(Trace, AMissingFileIsNamedWithItsFormat) {
  const std::string p = "/nonexistent/dir/t.log";
  EXPECT_EQ(error_of([&] { read_iolog(p); }), p + ": cannot open iolog");
  EXPECT_EQ(error_of([&] { read_blkparse(p, BlkparseOptions{}); }),
            p + ": cannot open blkparse output");
  EXPECT_EQ(error_of([&] { read_disksim(p, DiskSimOptions{}); }), p + ": cannot open DiskSim trace");
}

}  // namespace
}  // namespace mdsim
