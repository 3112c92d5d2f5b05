// A fio job, typed and fully resolved, as fio 3.33 builds its struct thread_options from a job
// file (init.c parse_jobs_ini, options.c): fio's defaults, then every [global] option seen so
// far in file order, then the job section's own options, each applied in order (so kb_base and
// rwmixread/rwmixwrite act on what follows them, and a later value wins).
//
// Every option is classified by fio_options.h. Modelled options land in typed fields below;
// options without effect are checked and kept only in `options`; unmodelled, deprecated and
// unknown options, bad values and engine options of another engine are FioJobError
// "file:line: message". Each option's file:line is remembered (where()), so errors found later
// — when the job meets the array (fio_generator.h) — still name the line that caused them.
//
// Left to the caller: numjobs clones (numjobs is stored; fio_generator takes the clone index),
// and mapping filename= to the simulated array (every job does I/O to it).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/time.h"
#include "workloads/fio_jobfile.h"

namespace mdsim {

// Data directions, numbered as fio's enum fio_ddir (and workloads/fio_result.h FioDdir).
enum class FioOp : int { kRead = 0, kWrite = 1, kTrim = 2 };
inline constexpr int kFioOps = 3;
const char* fio_op_name(FioOp op);  // "read", "write", "trim"

// rw= (readwrite=): fio's td_ddir combinations.
enum class FioRw {
  kRead,
  kWrite,
  kTrim,
  kRandRead,
  kRandWrite,
  kRandTrim,
  kReadWrite,
  kRandRW,
  kTrimWrite,
  kRandTrimWrite
};
bool fio_rw_is_random(FioRw rw);
bool fio_rw_uses(FioRw rw, FioOp op);  // whether the job issues `op` at all

enum class FioRwSequencer { kSequential, kIdentical };
enum class FioRandomGenerator { kTausworthe, kLfsr, kTausworthe64 };
enum class FioRateProcess { kLinear, kPoisson };
enum class FioCpusPolicy { kShared, kSplit };

// A size given in bytes or as a percentage of the target (size=20%, offset=10%).
struct FioSizeSpec {
  uint64_t bytes = 0;
  int percent = 0;  // 1..100 (0..100 for offsets) when given as a percentage
  bool set = false;
  bool operator==(const FioSizeSpec&) const = default;
};

struct FioBsSplitEntry {
  uint64_t bs = 0;
  int percent = 0;
  bool operator==(const FioBsSplitEntry&) const = default;
};

enum class FioDistribution { kRandom, kZipf, kPareto, kNormal, kZoned, kZonedAbs };

// One zone of random_distribution=zoned (sizes in percent of the region) or zoned_abs (bytes).
struct FioZone {
  int access_percent = 0;
  int size_percent = 0;
  uint64_t size_bytes = 0;
  bool operator==(const FioZone&) const = default;
};

struct FioRandomDistribution {
  FioDistribution kind = FioDistribution::kRandom;
  double param = 0;    // zipf theta (default 1.1), pareto h (0.2), normal deviation % (0)
  double center = -1;  // the optional second value, 0..1; -1 when not given
  std::array<std::vector<FioZone>, kFioOps> zones;  // per direction; empty: uniform
};

// Option name -> value, as fio's JSON "job options" / "global options" list them: fio's own
// name for the option (readwrite= is listed as "rw"), the value as written, in order, repeats
// kept, bare flags (time_based) left out as fio leaves them out.
using FioOptionList = std::vector<std::pair<std::string, std::string>>;

struct FioJob {
  std::string name;         // the section name, or name=
  std::string description;  // description=
  std::string file;         // where the job's section starts
  int line = 0;

  // What to issue.
  FioRw rw = FioRw::kRead;
  uint32_t rw_seq_nr = 1;   // rw=randread:N: a new random offset every N I/Os
  uint64_t rw_seq_add = 0;  // rw=write:4k: a hole of this size after every sequential I/O
  FioRwSequencer rw_sequencer = FioRwSequencer::kSequential;
  int rwmixread = 50;  // percent of reads in rw/randrw (rwmixwrite sets 100 - it)
  std::array<uint64_t, kFioOps> min_bs{4096, 4096, 4096};  // bs / bsrange / bssplit
  std::array<uint64_t, kFioOps> max_bs{4096, 4096, 4096};
  std::array<std::vector<FioBsSplitEntry>, kFioOps> bssplit;  // most likely first
  bool bs_unaligned = false;
  std::array<uint64_t, kFioOps> ba{0, 0, 0};  // blockalign; 0: the direction's min_bs
  FioRandomDistribution random_distribution;
  std::array<int, kFioOps> percentage_random{100, 100, 100};
  bool norandommap = false;
  FioRandomGenerator random_generator = FioRandomGenerator::kTausworthe;
  bool randrepeat = true;
  uint64_t randseed = 0x89;  // fio's default
  bool randseed_set = false;

  // Where, and how much.
  std::string filename;  // mapped to the simulated array
  FioSizeSpec size;      // unset: the whole array (after the offset)
  FioSizeSpec io_size;   // unset: size (or filesize)
  std::optional<std::pair<uint64_t, uint64_t>> filesize;  // lo..hi bytes
  FioSizeSpec offset;
  FioSizeSpec offset_increment;
  uint64_t offset_align = 0;  // 0: percentages align to the smallest min_bs
  uint64_t number_ios = 0;    // 0: no limit
  uint32_t loops = 1;

  // Queueing and time.
  std::string ioengine = "psync";
  uint32_t iodepth = 1;
  uint32_t numjobs = 1;
  bool direct = false;  // accepted without effect: mdsim I/O is always direct
  std::array<uint64_t, kFioOps> rate{0, 0, 0};       // bytes/s, 0: none
  std::array<uint64_t, kFioOps> rate_iops{0, 0, 0};  // I/Os per second, 0: none
  FioRateProcess rate_process = FioRateProcess::kLinear;
  Time runtime = 0;
  bool time_based = false;
  Time ramp_time = 0;
  Time startdelay_min = 0;  // startdelay=lo-hi: each clone picks in [lo, hi]
  Time startdelay_max = 0;
  Time thinktime = 0;
  uint32_t thinktime_blocks = 1;

  // Grouping, CPUs, units.
  bool stonewall = false;
  bool new_group = false;
  bool group_reporting = false;
  std::vector<int> cpus_allowed;  // sorted; empty: any CPU
  FioCpusPolicy cpus_allowed_policy = FioCpusPolicy::kShared;
  int kb_base = 1024;

  // Trace replay and capture (workloads/trace_replay.h models the replay options).
  std::string read_iolog;  // set: the job replays this log instead of generating I/O
  std::string write_iolog;
  bool replay_no_stall = false;
  uint32_t replay_time_scale = 100;  // percent
  std::string replay_redirect;
  uint64_t replay_scale = 1;
  uint64_t replay_align = 0;
  bool replay_skip_read = false, replay_skip_write = false, replay_skip_trim = false,
       replay_skip_sync = false;

  FioOptionList options;  // this section's own options (fio's "job options")
  std::map<std::string, std::string, std::less<>> option_where;  // fio name -> "file:line"

  bool replay() const { return !read_iolog.empty(); }
  // I/Os in flight per clone: fio's synchronous engines (psync, ...) never have more than one.
  uint32_t effective_iodepth() const;
  // "file:line" of the option (fio's name) as last set for this job, or of the section.
  std::string where(std::string_view option) const;
  // Throws FioJobError "where(option): message".
  [[noreturn]] void fail(std::string_view option, const std::string& message) const;
};

struct FioJobFile {
  std::vector<FioJob> jobs;      // in file order
  FioOptionList global_options;  // every [global] section's options (fio's "global options")
};

// Types the text layer's sections (fio_jobfile.h). Throws FioJobError.
FioJobFile resolve_fio_jobs(const std::vector<FioSection>& sections);
// Reads and resolves a job file / job text (`file` names it in errors and anchors includes).
FioJobFile load_fio_jobfile(const std::string& path, const FioEnv& env = process_env());
FioJobFile parse_fio_jobs(const std::string& text, const std::string& file,
                          const FioEnv& env = process_env());
std::vector<FioJob> load_fio_jobs(const std::string& path, const FioEnv& env = process_env());

// Applies one option of fio_options.h's kModelled class to `job` (fio_job_apply.cc). Throws
// FioJobError naming the option's file and line.
void apply_modelled_fio_option(FioJob& job, std::string_view fio_name, const FioOption& opt);

}  // namespace mdsim
