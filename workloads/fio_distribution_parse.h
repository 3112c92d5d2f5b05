// The two fio 3.33 option values that describe distributions (options.c split_parse_ddir,
// bssplit_ddir, zone_split_ddir, str_random_distribution_cb), for one data direction each;
// the caller splits "read,write,trim" (HOWTO "bssplit", "random_distribution").
//
//   bssplit   "bs/percent:bs/percent:..." up to 64 entries. A percentage above 100 counts as
//             100; a missing or zero one shares what the others leave; more than 100 in all
//             with two or more missing is an error. Entries come back most likely first
//             (fio sorts them so), ties in the order written.
//   random_distribution
//             random | zipf[:theta[:center]] | pareto[:h[:center]] | normal[:dev[:center]]
//             | zoned:access/size:... | zoned_abs:access/bytes:...; defaults theta 1.1,
//             h 0.2, dev 0. theta != 1, 0 < h < 1, 0 <= dev < 100, 0 <= center <= 1. Zones:
//             the access percentages must add up to exactly 100 (fio checks before sharing
//             out missing ones, so a missing one gets 0), sizes at most 100%, up to 256 zones.
//
// Errors are FioValueError with fio's own wording where fio has one.
#pragma once

#include <string_view>
#include <vector>

#include "workloads/fio_job.h"

namespace mdsim {

std::vector<FioBsSplitEntry> parse_fio_bssplit(std::string_view v, int kb_base);
FioRandomDistribution parse_fio_random_distribution(std::string_view v, int kb_base);

}  // namespace mdsim
