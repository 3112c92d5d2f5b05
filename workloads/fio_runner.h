// The fio job runner: runs a job file's jobs against one simulated md array, as fio 3.33's
// backend runs them (backend.c run_threads / thread_main / do_io, io_u.c, rate.c): every job is
// expanded into `numjobs` clones, each clone is a thread on one simulated core keeping its own
// iodepth, and the run reports what fio would (workloads/fio_result.h).
//
// Per clone:
//   - core: cpus_allowed picks from the listed cores round robin over the clones of the job
//     (cpus_allowed_policy=split: clone i gets the i-th core of the set, wrapping; shared: the
//     same choice — fio lets the scheduler pick any core of the set, mdsim picks one
//     deterministically); without cpus_allowed, clones are spread round robin over the
//     machine's cores in job-file order.
//   - `effective_iodepth` lanes (coroutines) share the clone's generator (workloads/
//     fio_generator.h) or trace replay (workloads/trace_replay.h). A lane takes the core,
//     spends submit_ns of "fio_submit" (fio's io_u preparation plus the io_uring/libaio
//     syscall), md.submit()s the bio, and when it completes takes the core again for
//     complete_ns of "fio_complete" (reaping, accounting) before its next I/O.
//   - latencies: slat = from wanting to submit to the bio entering md (queueing for the core
//     plus submit_ns), clat = md entry -> md completion, lat = slat + clat; slat is recorded for
//     asynchronous engines only, as fio does.
//   - timing: startdelay (lo-hi: drawn per clone), ramp_time (I/O completing during the ramp
//     is not counted; runtime is counted after it, as fio resets its clock at the end of the
//     ramp), runtime (time_based: issue until it ends; otherwise stop at it or when the
//     generator is done), thinktime (a lane idles after every thinktime_blocks of its I/Os),
//     rate / rate_iops (per clone and direction: issue times paced at the larger of the two
//     intervals, linear or Poisson; a lane that falls behind catches up without waiting).
//   - stonewall: the job and those after it start when every earlier job has ended; groupid
//     increments at every stonewall/new_group job except the first job.
//   - bw/iops samples: one per avg_time window (500 ms) from the end of the ramp, counting the
//     I/Os completed in it; a final partial window is not sampled (fio 3.33 takes samples from
//     its helper thread only when a full window has passed).
//   - per-direction runtime = the job's runtime when the direction moved data (fio
//     update_runtime); usr_time = complete_ns per I/O, sys_time = submit_ns per I/O of the
//     clone (approximate: md's own process-context work is not attributed); ctx = one per
//     I/O waited for.
//
// Left out: iodepth_batch_* (one I/O per submit/reap call), fio's io_u recycling limits, errors
// other than failing the clone (a failed bio sets error=EIO and stops the clone: no
// continue_on_error), write_iolog capture, multiple files (every file and every iolog file
// index is the array), rate_min / rate_cycle, thinktime_spin, per-job CPU affinity of md's
// completion work, verify.
#pragma once

#include <map>
#include <string>

#include "raid/mddev.h"
#include "sim/random.h"
#include "workloads/fio_job.h"
#include "workloads/fio_result.h"
#include "workloads/trace.h"

namespace mdsim {

struct FioRunnerOptions {
  Time submit_ns = 2 * kMicrosecond;    // per I/O, kind "fio_submit"
  Time complete_ns = 1 * kMicrosecond;  // per I/O, kind "fio_complete"
  Time avg_time = kFioDefaultAvgTime;   // bw_avg_time / iops_avg_time
  // read_iolog= name -> trace, used instead of reading the file (tests, pre-parsed traces).
  std::map<std::string, Trace, std::less<>> traces;
};

// Runs every job of `jobs` on `md` from the simulator's current time until all of them end:
// md.start() before, md.stop() when the last job ends, then the simulation drains. Results
// are per clone, in job-file order, clones in order (fio names each clone after its job).
// Throws FioJobError (naming the option's file:line) for a job that does not fit the array or
// the machine, TraceError for an unreadable iolog, before any simulated time passes.
FioRunResult run_fio_jobs(Mddev& md, const FioJobFile& jobs, const RandomStreams& rs,
                          const FioRunnerOptions& opt = {});

}  // namespace mdsim
