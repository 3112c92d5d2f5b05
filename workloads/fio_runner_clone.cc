// One fio job clone at work (fio 3.33 backend.c thread_main / do_io, io_u.c io_u_queued /
// io_completed, rate.c usec_for_io, stat.c add_clat_sample / add_lat_sample / __add_samples):
// iodepth lanes on the clone's core, rate and thinktime pacing, and the accounting. See
// workloads/fio_runner.h for what is modelled and what is left out.
#include "workloads/fio_runner_clone.h"

#include <algorithm>
#include <vector>

#include "sim/join.h"

namespace mdsim::internal {
namespace {

constexpr int kEio = 5;

// Closes every full sampling window that ended by `t` (fio's helper thread calling
// add_bw_samples / add_iops_samples every avg_time).
void flush_windows(FioClone& c, Time t) {
  const Time w = c.opt->avg_time;
  if (w <= 0) return;
  while (t >= c.win_start + w) {
    for (size_t d = 0; d < kFioDdirs; ++d) {
      FioDirStats& s = c.result.dirs[d];
      s.add_bw_sample(w, c.win_bytes[d]);
      s.add_iops_sample(w, c.win_ios[d]);
      c.win_bytes[d] = 0;
      c.win_ios[d] = 0;
    }
    c.win_start += w;
  }
}

// When a generated I/O may be issued under rate / rate_iops (linear: evenly spaced from the
// clone's start; poisson: exponential gaps with the same mean). Catches up when late.
Time paced_issue_time(FioClone& c, const FioIo& io, Time now) {
  const FioJob& job = *c.job;
  const size_t d = static_cast<size_t>(io.op);
  Time gap = 0;
  if (job.rate_iops[d] > 0)
    gap = std::max<Time>(gap, kSecond / static_cast<Time>(job.rate_iops[d]));
  if (job.rate[d] > 0) {
    const unsigned __int128 ns = static_cast<unsigned __int128>(io.length) * kSecond;
    gap = std::max<Time>(gap, static_cast<Time>(ns / job.rate[d]));
  }
  if (gap == 0) return now;
  if (job.rate_process == FioRateProcess::kPoisson) {
    gap = static_cast<Time>(c.rate_rng.exponential(static_cast<double>(gap)));
  }
  const Time at = std::max(now, c.next_issue[d]);
  c.next_issue[d] += gap;
  return at;
}

struct Issue {
  DiskRequest bio;
  int ddir = -1;  // -1: a sync (flush)
};

Issue to_bio(FioOp op, uint64_t offset, uint64_t length) {
  Issue is;
  is.ddir = static_cast<int>(op);
  is.bio.op = op == FioOp::kRead    ? DiskOp::kRead
              : op == FioOp::kWrite ? DiskOp::kWrite
                                    : DiskOp::kDiscard;
  is.bio.sector = offset / kSectorBytes;
  is.bio.sectors = static_cast<uint32_t>(length / kSectorBytes);
  return is;
}

void account(FioClone& c, const Issue& is, Time want, Time submitted, Time done, unsigned depth) {
  if (done < c.ramp_end) return;  // fio resets its stats when the ramp ends
  flush_windows(c, done);
  FioJobResult& r = c.result;
  const Time slat = submitted - want;
  const Time clat = done - submitted;
  r.mark_depth(depth);
  r.mark_submit(1);
  r.mark_complete(1);
  r.sys_time += c.opt->submit_ns;
  r.usr_time += c.opt->complete_ns;
  ++r.ctx;
  if (is.ddir < 0) {
    ++r.sync_ios;
    r.sync_lat.add(done - want);
    return;
  }
  FioDirStats& s = r.dirs[static_cast<size_t>(is.ddir)];
  const uint64_t bytes = is.bio.bytes();
  s.io_bytes += bytes;
  ++s.total_ios;
  if (c.async_engine) s.slat.add(slat);
  // Synchronous engines: fio's clat is the whole call, as there is no separate submission.
  s.clat.add(c.async_engine ? clat : done - want);
  s.lat.add(done - want);
  c.win_bytes[static_cast<size_t>(is.ddir)] += bytes;
  ++c.win_ios[static_cast<size_t>(is.ddir)];
}

Task<void> lane(FioClone* cp) {
  FioClone& c = *cp;
  Simulator& sim = c.md->sim();
  uint32_t since_think = 0;
  while (!c.stop && sim.now() < c.limit) {
    Issue is;
    if (c.replay != nullptr) {
      if (c.replay->done()) break;
      const ReplayIo r = c.replay->next();
      if (r.earliest > sim.now()) {
        if (r.earliest >= c.limit) break;
        co_await sim.delay(r.earliest - sim.now());
        // Another lane may have taken the record meanwhile.
        if (c.stop || c.replay->done() || c.replay->next().index != r.index) continue;
      }
      c.replay->issued(sim.now());
      if (r.op == TraceOp::kSync) {
        is.bio.op = DiskOp::kFlush;
      } else {
        const FioOp op = r.op == TraceOp::kRead    ? FioOp::kRead
                         : r.op == TraceOp::kWrite ? FioOp::kWrite
                                                   : FioOp::kTrim;
        is = to_bio(op, r.offset, r.length);
      }
    } else {
      std::optional<FioIo> io = c.gen->next();
      if (!io) break;
      const Time at = paced_issue_time(c, *io, sim.now());
      if (at >= c.limit) break;
      if (at > sim.now()) co_await sim.delay(at - sim.now());
      if (c.stop) break;
      is = to_bio(io->op, io->offset, io->length);
    }
    const Time want = sim.now();
    co_await c.cpu->acquire(c.submit_kind);
    co_await c.cpu->work(c.opt->submit_ns, c.submit_kind);
    const Time submitted = sim.now();
    const unsigned depth = ++c.inflight;
    const IoResult res = co_await c.md->submit(*c.cpu, is.bio);
    --c.inflight;
    const Time done = sim.now();
    if (res.ok()) {
      account(c, is, want, submitted, done, depth);
    } else if (c.result.error == 0) {
      c.result.error = kEio;
      c.result.verror = "mdsim: I/O error on the md array";
      c.stop = true;
    }
    co_await c.cpu->acquire(c.complete_kind);
    co_await c.cpu->work(c.opt->complete_ns, c.complete_kind);
    c.cpu->release();
    if (c.job->thinktime > 0 && ++since_think >= std::max<uint32_t>(1, c.job->thinktime_blocks)) {
      since_think = 0;
      co_await sim.delay(c.job->thinktime);
    }
  }
}

ReplayOptions replay_options(const FioJob& job) {
  ReplayOptions o;
  o.no_stall = job.replay_no_stall;
  o.time_scale = static_cast<int>(job.replay_time_scale);
  o.redirect = job.replay_redirect;
  o.scale = job.replay_scale;
  o.align = job.replay_align;
  o.skip_read = job.replay_skip_read;
  o.skip_write = job.replay_skip_write;
  o.skip_trim = job.replay_skip_trim;
  o.skip_sync = job.replay_skip_sync;
  return o;
}

}  // namespace

Task<void> run_fio_clone(FioClone& c) {
  Simulator& sim = c.md->sim();
  if (c.startdelay > 0) co_await sim.delay(c.startdelay);
  const FioJob& job = *c.job;
  c.start = sim.now();
  c.ramp_end = c.start + job.ramp_time;
  c.limit = job.runtime > 0 ? c.ramp_end + job.runtime : kTimeMax;
  c.win_start = c.ramp_end;
  c.next_issue.fill(c.start);
  if (c.trace != nullptr) {
    c.replay = std::make_unique<TraceReplay>(*c.trace, replay_options(job), c.start);
  }
  std::vector<Task<void>> lanes;
  const uint32_t depth = std::max<uint32_t>(1, job.effective_iodepth());
  for (uint32_t i = 0; i < depth; ++i) lanes.push_back(lane(&c));
  co_await all_of(std::move(lanes));
  c.end = sim.now();
  flush_windows(c, c.end);
  FioJobResult& r = c.result;
  r.job_runtime = std::max<Time>(0, c.end - c.ramp_end);
  for (FioDirStats& s : r.dirs) s.runtime = s.io_bytes > 0 ? r.job_runtime : 0;
}

}  // namespace mdsim::internal
