// The typed parsing of every modelled fio option (fio_options.h kModelled) into FioJob, with
// fio 3.33's value syntax and limits (options.c callbacks, checked with `fio --parse-only
// --debug=parse`). Where fio silently misreads a value (bs=4q as 4, runtime=-1 wrapping,
// cpus_allowed=3-1 as no CPU), mdsim reports a bad value instead.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>

#include "workloads/fio_distribution_parse.h"
#include "workloads/fio_job.h"
#include "workloads/fio_option_value.h"
#include "workloads/fio_options.h"
#include "workloads/fio_value.h"

namespace mdsim {

namespace {

using fio_option_value::bad;
using fio_option_value::boolean;
using fio_option_value::choice;
using fio_option_value::cpu_list;
using fio_option_value::flag;
using fio_option_value::integer;
using fio_option_value::parsed;
using fio_option_value::per_op;
using fio_option_value::size_spec;
using fio_option_value::size_value;
using fio_option_value::time_value;
using fio_option_value::value_of;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void set_rw(FioJob& job, const FioOption& o) {
  static const std::map<std::string, FioRw, std::less<>> kRw = {
      {"read", FioRw::kRead},
      {"write", FioRw::kWrite},
      {"trim", FioRw::kTrim},
      {"randread", FioRw::kRandRead},
      {"randwrite", FioRw::kRandWrite},
      {"randtrim", FioRw::kRandTrim},
      {"rw", FioRw::kReadWrite},
      {"readwrite", FioRw::kReadWrite},
      {"randrw", FioRw::kRandRW},
      {"trimwrite", FioRw::kTrimWrite},
      {"randtrimwrite", FioRw::kRandTrimWrite}};
  std::string v = value_of(o);
  size_t colon = v.find(':');
  auto it = kRw.find(std::string_view(v).substr(0, colon));
  if (it == kRw.end()) {
    bad(o, "\"" + v +
               "\": expected one of: read write trim randread randwrite randtrim rw "
               "readwrite randrw trimwrite randtrimwrite");
  }
  job.rw = it->second;
  job.rw_seq_nr = 1;
  job.rw_seq_add = 0;
  if (colon == std::string::npos) return;
  std::string post(trim(std::string_view(v).substr(colon + 1)));
  // fio (options.c str_rw_cb): random patterns take a count of I/Os per new offset,
  // sequential ones a size to skip after each I/O.
  if (fio_rw_is_random(job.rw)) {
    job.rw_seq_nr = static_cast<uint32_t>(
        parsed(o, [&] { return parse_fio_int(post, 1, UINT32_MAX, job.kb_base); }));
  } else {
    if (!post.empty() && post[0] == '-') {
      throw FioJobError(o.where() + ": option '" + o.name + "=" + v +
                        "' is not modelled by mdsim: backwards sequential I/O is not simulated");
    }
    job.rw_seq_add = size_value(o, job, post, 0);
  }
}

void set_bssplit(FioJob& job, const FioOption& o) {
  auto parts = per_op(o);
  for (int d = 0; d < kFioOps; ++d) {
    if (!parts[d]) continue;
    try {
      job.bssplit[d] = parse_fio_bssplit(*parts[d], job.kb_base);
    } catch (const FioValueError& e) {
      bad(o, e.what());
    }
    job.min_bs[d] = job.max_bs[d] = job.bssplit[d].front().bs;
    for (const FioBsSplitEntry& e : job.bssplit[d]) {
      job.min_bs[d] = std::min(job.min_bs[d], e.bs);
      job.max_bs[d] = std::max(job.max_bs[d], e.bs);
    }
  }
}

void set_replay_skip(FioJob& job, const FioOption& o) {
  std::string v = value_of(o);
  job.replay_skip_read = job.replay_skip_write = job.replay_skip_trim = false;
  job.replay_skip_sync = false;
  size_t start = 0;
  while (true) {
    size_t comma = v.find(',', start);
    std::string w(trim(std::string_view(v).substr(start, comma - start)));
    if (w == "read")
      job.replay_skip_read = true;
    else if (w == "write")
      job.replay_skip_write = true;
    else if (w == "trim")
      job.replay_skip_trim = true;
    else if (w == "sync")
      job.replay_skip_sync = true;
    else
      bad(o, "\"" + v + "\": unknown skip type \"" + w + "\" (read, write, trim, sync)");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

using Handler = std::function<void(FioJob&, const FioOption&)>;

const std::map<std::string_view, Handler>& handlers() {
  static const auto* h = new std::map<std::string_view, Handler>{
      {"description", [](FioJob& j, const FioOption& o) { j.description = value_of(o); }},
      {"name", [](FioJob& j, const FioOption& o) { j.name = value_of(o); }},
      {"filename",
       [](FioJob& j, const FioOption& o) {
         std::string v = value_of(o);
         for (size_t i = 0; i < v.size(); ++i) {
           if (v[i] == ':' && (i == 0 || v[i - 1] != '\\')) {
             throw FioJobError(o.where() + ": option 'filename=" + v +
                               "' is not modelled by mdsim: I/O to several files is not "
                               "simulated (every job does I/O to the simulated array)");
           }
         }
         j.filename = v;
       }},
      {"rw", set_rw},
      {"rw_sequencer",
       [](FioJob& j, const FioOption& o) {
         j.rw_sequencer = choice(o, "sequential|identical") == "sequential"
                              ? FioRwSequencer::kSequential
                              : FioRwSequencer::kIdentical;
       }},
      {"bs",
       [](FioJob& j, const FioOption& o) {
         auto parts = per_op(o);
         for (int d = 0; d < kFioOps; ++d) {
           if (!parts[d]) continue;
           j.min_bs[d] = j.max_bs[d] = size_value(o, j, *parts[d], 1);
           j.bssplit[d].clear();
         }
       }},
      {"ba",
       [](FioJob& j, const FioOption& o) {
         auto parts = per_op(o);
         for (int d = 0; d < kFioOps; ++d) {
           if (parts[d]) j.ba[d] = size_value(o, j, *parts[d], 1);
         }
       }},
      {"bsrange",
       [](FioJob& j, const FioOption& o) {
         auto parts = per_op(o);
         for (int d = 0; d < kFioOps; ++d) {
           if (!parts[d]) continue;
           auto [lo, hi] = parsed(o, [&] { return parse_fio_size_range(*parts[d], j.kb_base); });
           if (lo == 0) bad(o, "\"" + *parts[d] + "\": block sizes must be at least 1");
           j.min_bs[d] = lo;
           j.max_bs[d] = hi;
           j.bssplit[d].clear();
         }
       }},
      {"bssplit", set_bssplit},
      {"bs_unaligned", [](FioJob& j, const FioOption& o) { j.bs_unaligned = flag(o, j); }},
      {"randrepeat", [](FioJob& j, const FioOption& o) { j.randrepeat = boolean(o); }},
      {"randseed",
       [](FioJob& j, const FioOption& o) {
         j.randseed = size_value(o, j, value_of(o), 0);
         j.randseed_set = true;
       }},
      {"norandommap", [](FioJob& j, const FioOption& o) { j.norandommap = flag(o, j); }},
      {"ioengine",
       [](FioJob& j, const FioOption& o) {
         std::string v = value_of(o);
         if (!fio_engine_is_known(v)) bad(o, "\"" + v + "\": fio 3.33 has no such ioengine");
         if (!fio_engine_is_simulated(v)) {
           throw FioJobError(o.where() + ": option 'ioengine=" + v +
                             "' is not modelled by mdsim: the simulated engines are sync, "
                             "psync, vsync, pvsync, pvsync2, libaio, io_uring and posixaio");
         }
         j.ioengine = v;
       }},
      {"iodepth",
       [](FioJob& j, const FioOption& o) { j.iodepth = integer(o, j, 1, 1 << 20); }},
      {"size", [](FioJob& j, const FioOption& o) { j.size = size_spec(o, j, 1); }},
      {"io_size", [](FioJob& j, const FioOption& o) { j.io_size = size_spec(o, j, 1); }},
      {"filesize",
       [](FioJob& j, const FioOption& o) {
         auto r = parsed(o, [&] { return parse_fio_size_range(value_of(o), j.kb_base); });
         if (r.first == 0) bad(o, "\"" + value_of(o) + "\": must be at least 1");
         j.filesize = r;
       }},
      {"offset", [](FioJob& j, const FioOption& o) { j.offset = size_spec(o, j, 0); }},
      {"offset_increment",
       [](FioJob& j, const FioOption& o) { j.offset_increment = size_spec(o, j, 0); }},
      {"offset_align",
       [](FioJob& j, const FioOption& o) { j.offset_align = size_value(o, j, value_of(o), 0); }},
      {"number_ios",
       [](FioJob& j, const FioOption& o) { j.number_ios = size_value(o, j, value_of(o), 0); }},
      {"random_generator",
       [](FioJob& j, const FioOption& o) {
         std::string v = choice(o, "tausworthe|lfsr|tausworthe64");
         j.random_generator = v == "lfsr"           ? FioRandomGenerator::kLfsr
                              : v == "tausworthe64" ? FioRandomGenerator::kTausworthe64
                                                    : FioRandomGenerator::kTausworthe;
       }},
      {"random_distribution",
       [](FioJob& j, const FioOption& o) {
         try {
           j.random_distribution = parse_fio_random_distribution(value_of(o), j.kb_base);
         } catch (const FioValueError& e) {
           bad(o, e.what());
         }
       }},
      {"percentage_random",
       [](FioJob& j, const FioOption& o) {
         auto parts = per_op(o);
         for (int d = 0; d < kFioOps; ++d) {
           if (!parts[d]) continue;
           j.percentage_random[d] = parsed(o, [&] { return parse_fio_percent(*parts[d]); });
         }
       }},
      {"loops",
       [](FioJob& j, const FioOption& o) {
         // fio runs a job with loops=0 once, as with loops=1.
         j.loops = static_cast<uint32_t>(std::max<int64_t>(1, integer(o, j, 0, UINT32_MAX)));
       }},
      {"numjobs",
       [](FioJob& j, const FioOption& o) { j.numjobs = integer(o, j, 1, 1 << 20); }},
      {"startdelay",
       [](FioJob& j, const FioOption& o) {
         std::string v = value_of(o);
         size_t sep = v.find_first_of("-:");
         j.startdelay_min = time_value(o, std::string_view(v).substr(0, sep), kSecond);
         j.startdelay_max = sep == std::string::npos
                                ? j.startdelay_min
                                : time_value(o, std::string_view(v).substr(sep + 1), kSecond);
         if (j.startdelay_max < j.startdelay_min) std::swap(j.startdelay_min, j.startdelay_max);
       }},
      {"runtime",
       [](FioJob& j, const FioOption& o) { j.runtime = time_value(o, value_of(o), kSecond); }},
      {"time_based", [](FioJob& j, const FioOption& o) { j.time_based = flag(o, j); }},
      {"ramp_time",
       [](FioJob& j, const FioOption& o) { j.ramp_time = time_value(o, value_of(o), kSecond); }},
      {"rwmixread",
       [](FioJob& j, const FioOption& o) { j.rwmixread = integer(o, j, 0, 100); }},
      {"rwmixwrite",
       [](FioJob& j, const FioOption& o) { j.rwmixread = 100 - integer(o, j, 0, 100); }},
      {"thinktime",
       [](FioJob& j, const FioOption& o) {
         j.thinktime = time_value(o, value_of(o), kMicrosecond);
       }},
      {"thinktime_blocks",
       [](FioJob& j, const FioOption& o) {
         j.thinktime_blocks =
             static_cast<uint32_t>(std::max<int64_t>(1, integer(o, j, 0, UINT32_MAX)));
       }},
      {"rate",
       [](FioJob& j, const FioOption& o) {
         auto parts = per_op(o);
         for (int d = 0; d < kFioOps; ++d) {
           if (parts[d]) j.rate[d] = size_value(o, j, *parts[d], 0);
         }
       }},
      {"rate_iops",
       [](FioJob& j, const FioOption& o) {
         auto parts = per_op(o);
         for (int d = 0; d < kFioOps; ++d) {
           if (parts[d]) j.rate_iops[d] = size_value(o, j, *parts[d], 0);
         }
       }},
      {"rate_process",
       [](FioJob& j, const FioOption& o) {
         j.rate_process = choice(o, "linear|poisson") == "linear" ? FioRateProcess::kLinear
                                                                   : FioRateProcess::kPoisson;
       }},
      {"stonewall", [](FioJob& j, const FioOption& o) { j.stonewall = flag(o, j); }},
      {"new_group", [](FioJob& j, const FioOption& o) { j.new_group = flag(o, j); }},
      {"group_reporting", [](FioJob& j, const FioOption& o) { j.group_reporting = flag(o, j); }},
      {"cpus_allowed", [](FioJob& j, const FioOption& o) { j.cpus_allowed = cpu_list(o); }},
      {"cpumask",
       [](FioJob& j, const FioOption& o) {
         uint64_t mask = size_value(o, j, value_of(o), 1);
         j.cpus_allowed.clear();
         for (int c = 0; c < 64; ++c) {
           if (mask >> c & 1) j.cpus_allowed.push_back(c);
         }
       }},
      {"cpus_allowed_policy",
       [](FioJob& j, const FioOption& o) {
         j.cpus_allowed_policy = choice(o, "shared|split") == "shared" ? FioCpusPolicy::kShared
                                                                       : FioCpusPolicy::kSplit;
       }},
      {"kb_base",
       [](FioJob& j, const FioOption& o) { j.kb_base = std::stoi(choice(o, "1024|1000")); }},
      {"read_iolog", [](FioJob& j, const FioOption& o) { j.read_iolog = value_of(o); }},
      {"write_iolog", [](FioJob& j, const FioOption& o) { j.write_iolog = value_of(o); }},
      {"replay_no_stall", [](FioJob& j, const FioOption& o) { j.replay_no_stall = boolean(o); }},
      {"replay_time_scale",
       [](FioJob& j, const FioOption& o) { j.replay_time_scale = integer(o, j, 1, UINT32_MAX); }},
      {"replay_redirect", [](FioJob& j, const FioOption& o) { j.replay_redirect = value_of(o); }},
      {"replay_scale",
       [](FioJob& j, const FioOption& o) { j.replay_scale = size_value(o, j, value_of(o), 0); }},
      {"replay_align",
       [](FioJob& j, const FioOption& o) {
         uint64_t a = size_value(o, j, value_of(o), 0);
         if (a & (a - 1)) bad(o, "\"" + value_of(o) + "\": must be a power of 2");
         j.replay_align = a;
       }},
      {"replay_skip", set_replay_skip},
  };
  return *h;
}

}  // namespace

void apply_modelled_fio_option(FioJob& job, std::string_view fio_name, const FioOption& opt) {
  auto it = handlers().find(fio_name);
  if (it == handlers().end()) {
    throw std::logic_error("fio option table marks '" + std::string(fio_name) +
                           "' modelled but fio_job_apply.cc has no handler");
  }
  it->second(job, opt);
}

}  // namespace mdsim
