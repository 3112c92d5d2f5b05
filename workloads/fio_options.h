// Every option fio 3.33 knows, as `fio --cmdhelp=all`, `fio --cmdhelp=NAME` and
// `fio --enghelp=ENGINE` list them (plus the hidden and deprecated ones fio 3.33's parser still
// recognises), with fio's aliases, the kind of value, and how mdsim treats it:
//
//   kModelled    parsed into FioJob (fio_job.h) and simulated, or carried to the results;
//   kNoEffect    accepted and its value checked, but it cannot change a simulated run (`why`
//                says why; docs/FIO.md lists them all);
//   kUnmodelled  it would change the run and mdsim does not simulate it: an error naming the
//                option, file and line — unless the value is one of `neutral`, the values that
//                leave fio's behaviour as without the option (verify=0, zonemode=none, ...);
//   kDeprecated  fio 3.33 itself refuses it ("Option X is deprecated", job dropped).
//
// Engine options (libaio's userspace_reap, io_uring's hipri, ...) exist only for the engines in
// `engines`; fio rejects them elsewhere with "Bad option", and so does mdsim. Option names are
// case-sensitive, as in fio. What this leaves out: engines mdsim does not simulate (null, net,
// mmap, sg, ...) have their options left out too, so their options are "bad options" here.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace mdsim {

enum class FioOptionClass { kModelled, kNoEffect, kUnmodelled, kDeprecated };

// The shape of an option's value, as fio's parser types it (parse.h FIO_OPT_*).
enum class FioValueKind {
  kFlag,       // FIO_OPT_STR_SET: bare, or an integer (time_based, norandommap, ...)
  kBool,       // FIO_OPT_BOOL: 0 or 1, a value is required
  kInt,        // FIO_OPT_INT / FIO_OPT_ULL: an integer with the size suffixes
  kSize,       // a data size (k, m, g, ... suffixes) or, where fio allows, a percentage
  kTime,       // FIO_OPT_STR_VAL_TIME
  kString,     // any non-empty text
  kChoice,     // one of `choices` (text after a ':' is the choice's own argument)
  kFloatList,  // FIO_OPT_FLOAT_LIST: floats separated by ':'
};

struct FioOptionSpec {
  std::string_view name;   // fio's name for it (what fio's JSON "job options" uses)
  std::string_view alias;  // fio's alias, or ""
  FioValueKind kind;
  FioOptionClass cls;
  std::string_view choices;  // kChoice: fio's valid values, '|'-separated
  std::string_view neutral;  // kUnmodelled: values accepted as neutral, '|'-separated
  std::string_view engines;  // engine options: the engines that have it, '|'-separated
  std::string_view why;      // kNoEffect / kUnmodelled / kDeprecated: the reason
};

// The whole table, in fio's --cmdhelp order, engine options last.
std::span<const FioOptionSpec> fio_option_table();

// The option called `name` (its name or alias), or nullptr when fio 3.33 has no such option.
const FioOptionSpec* find_fio_option(std::string_view name);

// fio's "Did you mean X?": the known option name closest to `name` (edit distance), or "" when
// nothing is close.
std::string suggest_fio_option(std::string_view name);

// Whether `value` (as written, trimmed) is one of the spec's neutral values.
bool fio_value_is_neutral(const FioOptionSpec& spec, std::string_view value);

// Whether `engine` has the engine option `spec` (always true for a main option).
bool fio_option_fits_engine(const FioOptionSpec& spec, std::string_view engine);

// Checks `value` against the spec's kind (kb_base for sizes); throws FioValueError. A bare flag
// is `has_value` false.
void check_fio_value(const FioOptionSpec& spec, bool has_value, std::string_view value,
                     int kb_base);

// The ioengines mdsim simulates: fio's synchronous engines (one I/O in flight per job, whatever
// iodepth says: HOWTO "iodepth") and the asynchronous ones.
bool fio_engine_is_simulated(std::string_view engine);
bool fio_engine_is_sync(std::string_view engine);
// Every engine name fio 3.33 accepts for ioengine= (simulated or not).
bool fio_engine_is_known(std::string_view engine);

}  // namespace mdsim
