// Parsing one fio option's value with fio 3.33's syntax (fio_value.h) into what FioJob holds,
// for fio_job_apply.cc. Every failure is FioJobError "file:line: bad value for 'name': ..."
// (or "... requires a value"), naming the option as written.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/fio_job.h"
#include "workloads/fio_value.h"

namespace mdsim::fio_option_value {

[[noreturn]] void bad(const FioOption& o, const std::string& msg);
// The trimmed value; an error when there is none.
std::string value_of(const FioOption& o);

// Runs a fio_value parser, turning its FioValueError into this option's bad-value error.
template <typename F>
auto parsed(const FioOption& o, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const FioValueError& e) {
    bad(o, e.what());
  }
}

// fio's per-direction values "r[,w[,t]]": a value not followed by a comma carries on to the
// following directions, an empty one keeps the default (HOWTO "blocksize").
std::array<std::optional<std::string>, kFioOps> per_op(const FioOption& o);
bool flag(const FioOption& o, const FioJob& job);  // bare, or an integer (fio FIO_OPT_STR_SET)
bool boolean(const FioOption& o);                  // 0 or 1
int64_t integer(const FioOption& o, const FioJob& job, int64_t lo, int64_t hi);
uint64_t size_value(const FioOption& o, const FioJob& job, std::string_view v, uint64_t lo);
Time time_value(const FioOption& o, std::string_view v, Time unit);
// Bytes, or a percentage of the target (at least `min_percent`); 0 bytes means "not given".
FioSizeSpec size_spec(const FioOption& o, const FioJob& job, int min_percent);
std::string choice(const FioOption& o, std::string_view list);  // one of '|'-separated `list`
// fio's CPU list syntax "0-3,8,10-11", sorted and without repeats.
std::vector<int> cpu_list(const FioOption& o);

}  // namespace mdsim::fio_option_value
