// Tests for the fio result model's fio semantics: sample statistics, rate sampling, depth
// slots, group reporting (sum_thread_stats), group_run_stats, percentiles and ctime.
#include "workloads/fio_result.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace mdsim {
namespace {

TEST(FioSampleStat, WelfordAndPureSum) {
  FioSampleStat a;
  for (uint64_t v : {10, 20, 30}) a.add(v);
  EXPECT_EQ(a.samples, 3u);
  EXPECT_EQ(a.min, 10u);
  EXPECT_EQ(a.max, 30u);
  EXPECT_DOUBLE_EQ(a.mean, 20.0);
  EXPECT_DOUBLE_EQ(a.stddev(), 10.0);  // sample stddev of 10, 20, 30
  FioSampleStat b;
  b.add(5);
  a.sum_pure(b);  // group reporting adds everything
  EXPECT_EQ(a.samples, 4u);
  EXPECT_EQ(a.min, 15u);
  EXPECT_EQ(a.max, 35u);
  EXPECT_DOUBLE_EQ(a.mean, 25.0);
  FioSampleStat empty;
  empty.sum_pure(b);
  EXPECT_EQ(empty.min, 5u);
  EXPECT_DOUBLE_EQ(empty.stddev(), 0.0);
}

TEST(FioDirStats, RateSamplesLikeFio) {
  FioDirStats d;
  d.add_bw_sample(500 * kMillisecond, 0);  // nothing done: no sample
  EXPECT_EQ(d.bw.samples, 0u);
  d.add_bw_sample(500 * kMillisecond + 999999, 1000000);  // 500 ms: 1953.125 -> 1953 KiB/s
  EXPECT_EQ(d.bw.max, 1953u);
  d.add_iops_sample(499 * kMillisecond, 250);  // 250 * 1000 / 499 = 501
  EXPECT_EQ(d.iops.max, 501u);
  d.add_iops_sample(kMillisecond / 2, 7);  // under 1 ms: rate 0, still a sample
  EXPECT_EQ(d.iops.samples, 2u);
  EXPECT_EQ(d.iops.min, 0u);
}

TEST(FioJobResult, DepthAndBatchSlots) {
  FioJobResult j;
  for (unsigned depth : {1u, 2u, 3u, 4u, 7u, 8u, 16u, 31u, 32u, 63u, 64u, 1000u})
    j.mark_depth(depth);
  EXPECT_EQ(j.io_u_map, (FioDepthMap{1, 2, 2, 1, 2, 2, 2}));
  for (unsigned nr : {0u, 1u, 4u, 5u, 8u, 9u, 16u, 17u, 32u, 33u, 64u, 65u}) j.mark_submit(nr);
  EXPECT_EQ(j.io_u_submit, (FioDepthMap{1, 2, 2, 2, 2, 2, 1}));
  EXPECT_EQ(j.total_submit, 12u);
  j.mark_complete(3);
  EXPECT_EQ(j.io_u_complete[1], 1u);
  const auto dist = fio_depth_dist({1, 0, 0, 0, 0, 0, 1999}, 2000);
  EXPECT_DOUBLE_EQ(dist[0], 0.1);  // 0.05% shows as 0.1
  EXPECT_DOUBLE_EQ(dist[6], 99.95);
  EXPECT_DOUBLE_EQ(dist[1], 0.0);
}

FioJobResult job(const std::string& name, int group, bool gr, uint64_t bytes, Time runtime) {
  FioJobResult j;
  j.name = name;
  j.groupid = group;
  j.group_reporting = gr;
  j.dir(FioDdir::kWrite).io_bytes = bytes;
  j.dir(FioDdir::kWrite).runtime = runtime;
  return j;
}

TEST(FioReportedJobs, MergesConsecutiveJobsOfAGroup) {
  std::vector<FioJobResult> jobs = {job("a", 0, true, 100, kSecond),
                                    job("a", 0, true, 300, 3 * kSecond),
                                    job("b", 1, true, 50, kSecond), job("c", 1, false, 7, kSecond),
                                    job("d", 1, false, 9, kSecond)};
  jobs[1].error = 5;
  const std::vector<FioJobResult> r = fio_reported_jobs(jobs);
  ASSERT_EQ(r.size(), 4u);  // a+a, b, c, d
  EXPECT_EQ(r[0].members, 2);
  EXPECT_EQ(r[0].dir(FioDdir::kWrite).io_bytes, 400u);
  EXPECT_EQ(r[0].dir(FioDdir::kWrite).runtime, 3 * kSecond);
  EXPECT_EQ(r[0].error, 5);
  EXPECT_EQ(r[1].name, "b");
  EXPECT_EQ(r[2].name, "c");
  const std::vector<FioGroupStats> g = fio_group_stats(r);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].max_run[1], 3000u);
  EXPECT_EQ(g[0].agg[1], 400 * 1000 / 3000u);
  EXPECT_EQ(g[1].min_run[1], 1000u);
  EXPECT_EQ(g[1].min_bw[1], 7u);  // bytes/s
  EXPECT_EQ(g[1].max_bw[1], 50u);
  EXPECT_EQ(g[1].io_bytes[1], 66u);
  EXPECT_EQ(g[1].max_run[0], 0u);  // no reads
}

TEST(FioGroupStats, ZeroBandwidthIsAMinimum) {
  const std::vector<FioGroupStats> g =
      fio_group_stats({job("z", 0, false, 0, kSecond), job("y", 0, false, 5000, kSecond)});
  EXPECT_EQ(g[0].min_bw[1], 0u);
  EXPECT_EQ(g[0].max_bw[1], 5000u);
}

TEST(FioPercentiles, LongDoubleComparisonLikeFio) {
  // 3998 samples at 100 ns, 2 at 200 ns: 99.95% of 4000 is 3998 in doubles but just above it
  // in fio's long double, so fio reports the second bin.
  LatencyHistogram h;
  h.add(100, 3998);
  h.add(200, 2);
  const auto p = fio_percentiles(h, {99.95, 50.0});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_DOUBLE_EQ(p[0].first, 50.0);  // sorted like fio
  EXPECT_EQ(p[0].second, 100);
  EXPECT_EQ(p[1].second, 201);  // bin [200, 201]
  EXPECT_EQ(fio_percentiles(LatencyHistogram(), {1.0})[0].second, 0);
}

TEST(FioCtime, FormatsLikeCtimeInUtc) {
  EXPECT_EQ(fio_ctime(0), "Thu Jan  1 00:00:00 1970");
  EXPECT_EQ(fio_ctime(1795491393), "Tue Nov 24 03:36:33 2026");
}

}  // namespace
}  // namespace mdsim
