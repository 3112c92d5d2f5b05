// fio 3.33's --output-format=json and json+ for a FioRunResult (stat.c __show_run_stats,
// show_thread_status_json, add_ddir_status_json, add_ddir_lat_json, json_array_add_disk_util;
// json.c json_print_object): the same keys in the same order with the same units (bw in KiB/s,
// bw_bytes in B/s, runtime in ms, latencies in ns, percentile keys "%f"), printed with fio's
// layout, so tools that read fio's JSON (fio_jsonplus_clat2csv, fio-plot) read ours unchanged.
// json+ adds the non-empty latency histogram bins ("bins": {"<bin value ns>": count}) beside
// every percentile block. Group reporting merges jobs like fio (fio_reported_jobs).
//
// An optional extra object is written under the top-level key "mdsim" (after "disk_util");
// fio tools ignore unknown keys. Left out: what FioRunResult leaves out (see fio_result.h),
// "cpu idleness" profiling and the client/server "client_stats" form.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "workloads/fio_result.h"

namespace mdsim {

enum class FioJsonFormat { kJson, kJsonPlus };

// The document as fio builds it. `mdsim` is added under "mdsim" unless it is null. A
// nlohmann::json converts implicitly (its keys then come in sorted order).
nlohmann::ordered_json fio_json(const FioRunResult& run, FioJsonFormat format,
                                const nlohmann::ordered_json& mdsim = nullptr);

// Prints a document the way fio's json.c does: two-space indentation, `"key" : value`, one
// member per line, integers as integers and floating-point numbers with "%f" (six decimals),
// plus a final newline. Inside the top-level "mdsim" object floats keep full precision.
// Strings are escaped as valid JSON (fio escapes only '"' and '\').
std::string fio_json_dump(const nlohmann::ordered_json& doc);

// fio_json_dump(fio_json(run, format, mdsim)).
std::string fio_json_string(const FioRunResult& run, FioJsonFormat format,
                            const nlohmann::ordered_json& mdsim = nullptr);

}  // namespace mdsim
