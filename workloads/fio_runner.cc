// The fio job runner: job file -> clones on cores -> a run on the array (fio 3.33 init.c
// add_job / numjobs clones, backend.c run_threads with stonewall groups). See
// workloads/fio_runner.h.
#include "workloads/fio_runner.h"

#include <memory>
#include <vector>

#include "sim/join.h"
#include "workloads/fio_options.h"
#include "workloads/fio_runner_clone.h"
#include "workloads/iolog.h"

namespace mdsim {
namespace {

using internal::FioClone;

bool multiple_of_sector(uint64_t v) { return v % kSectorBytes == 0; }

// mdsim's bios are whole 512-byte sectors: reject jobs whose I/O could not be.
void check_sector_units(const FioJob& job) {
  if (job.bs_unaligned) job.fail("bs_unaligned", "mdsim issues whole 512-byte sectors only");
  for (int d = 0; d < kFioOps; ++d) {
    if (!fio_rw_uses(job.rw, static_cast<FioOp>(d))) continue;
    const size_t i = static_cast<size_t>(d);
    if (!multiple_of_sector(job.min_bs[i]) || !multiple_of_sector(job.max_bs[i])) {
      job.fail("bs", "block sizes must be multiples of 512 bytes");
    }
    for (const FioBsSplitEntry& e : job.bssplit[i]) {
      if (!multiple_of_sector(e.bs)) job.fail("bssplit", "block sizes must be multiples of 512");
    }
    if (!multiple_of_sector(job.ba[i])) job.fail("blockalign", "must be a multiple of 512");
  }
  if (!job.offset.set || job.offset.percent == 0) {
    if (!multiple_of_sector(job.offset.bytes)) job.fail("offset", "must be a multiple of 512");
  }
  if (!multiple_of_sector(job.offset_increment.bytes)) {
    job.fail("offset_increment", "must be a multiple of 512");
  }
}

void check_trace(const FioJob& job, const Trace& t, uint64_t target_bytes) {
  for (size_t i = 0; i < t.records.size(); ++i) {
    const TraceRecord& r = t.records[i];
    if (r.op == TraceOp::kSync) continue;
    // replay_scale / replay_align only move offsets down, so the raw record bounds them.
    const uint64_t off = job.replay_scale > 1 ? r.offset / job.replay_scale : r.offset;
    if (off + r.length > target_bytes) {
      job.fail("read_iolog", t.source + ": record " + std::to_string(i + 1) +
                                 " ends beyond the array (" + std::to_string(target_bytes) +
                                 " bytes)");
    }
    if (!multiple_of_sector(r.length) ||
        (job.replay_align < kSectorBytes && !multiple_of_sector(off))) {
      job.fail("read_iolog", t.source + ": record " + std::to_string(i + 1) +
                                 " is not in whole 512-byte sectors");
    }
  }
}

// A stonewall segment: jobs that start together once every earlier segment has ended.
// Sets *end when the last job has ended.
Task<void> run_segments(Mddev* md, std::vector<std::vector<FioClone*>> segments, Time* end) {
  for (auto& seg : segments) {
    std::vector<Task<void>> clones;
    for (FioClone* c : seg) clones.push_back(internal::run_fio_clone(*c));
    co_await all_of(std::move(clones));
  }
  *end = md->sim().now();
  md->stop();
}

}  // namespace

FioRunResult run_fio_jobs(Mddev& md, const FioJobFile& jobs, const RandomStreams& rs,
                          const FioRunnerOptions& opt) {
  Machine& m = md.machine();
  const uint64_t target_bytes = static_cast<uint64_t>(md.array_sectors()) * kSectorBytes;
  const KindId submit_kind = m.kind("fio_submit");
  const KindId complete_kind = m.kind("fio_complete");

  std::map<std::string, Trace, std::less<>> loaded;  // read_iolog files read here
  std::vector<std::unique_ptr<FioClone>> clones;
  std::vector<std::vector<FioClone*>> segments;
  int groupid = 0;
  int spread = 0;       // next core for clones without cpus_allowed
  uint64_t serial = 0;  // clone number over the whole run (startdelay / rate streams)
  for (size_t j = 0; j < jobs.jobs.size(); ++j) {
    const FioJob& job = jobs.jobs[j];
    if (j > 0 && (job.stonewall || job.new_group)) ++groupid;
    if (segments.empty() || (j > 0 && job.stonewall)) segments.emplace_back();
    if (job.time_based && job.runtime == 0) {
      job.fail("time_based", "time_based needs a runtime (the simulation would never end)");
    }
    for (int cpu : job.cpus_allowed) {
      if (cpu < 0 || cpu >= m.num_cpus()) {
        job.fail("cpus_allowed", "CPU " + std::to_string(cpu) +
                                     " does not exist (the machine has " +
                                     std::to_string(m.num_cpus()) + " cores)");
      }
    }
    const Trace* trace = nullptr;
    if (job.replay()) {
      auto it = opt.traces.find(job.read_iolog);
      if (it != opt.traces.end()) {
        trace = &it->second;
      } else {
        auto lt = loaded.find(job.read_iolog);
        if (lt == loaded.end()) {
          lt = loaded.emplace(job.read_iolog, read_iolog(job.read_iolog)).first;
        }
        trace = &lt->second;
      }
      check_trace(job, *trace, target_bytes);
    } else {
      check_sector_units(job);
    }
    for (uint32_t k = 0; k < std::max<uint32_t>(1, job.numjobs); ++k, ++serial) {
      auto c = std::make_unique<FioClone>();
      c->job = &job;
      c->md = &md;
      c->opt = &opt;
      c->submit_kind = submit_kind;
      c->complete_kind = complete_kind;
      c->async_engine = !fio_engine_is_sync(job.ioengine);
      if (!job.cpus_allowed.empty()) {
        c->cpu = &m.cpu(job.cpus_allowed[k % job.cpus_allowed.size()]);
      } else {
        c->cpu = &m.cpu(spread);
        spread = (spread + 1) % m.num_cpus();
      }
      if (trace != nullptr) {
        c->trace = trace;
      } else {
        c->gen.emplace(job, target_bytes, k, fio_job_rng(job, rs, static_cast<uint32_t>(j), k));
      }
      c->rate_rng = rs.stream("fio.rate", serial);
      c->startdelay = job.startdelay_min;
      if (job.startdelay_max > job.startdelay_min) {
        Rng r = rs.stream("fio.startdelay", serial);
        c->startdelay += static_cast<Time>(
            r.below(static_cast<uint64_t>(job.startdelay_max - job.startdelay_min) + 1));
      }
      FioJobResult& res = c->result;
      res.name = job.name;
      res.description = job.description;
      res.groupid = groupid;
      res.group_reporting = job.group_reporting;
      res.options = job.options;
      res.latency_depth = job.effective_iodepth();
      segments.back().push_back(c.get());
      clones.push_back(std::move(c));
    }
  }

  Simulator& sim = md.sim();
  const Time t0 = sim.now();
  md.start();
  Time run_end = t0;
  spawn(sim, run_segments(&md, segments, &run_end));
  sim.run();  // drains after the jobs: the bitmap daemon notices stop() at its next wake-up

  FioRunResult out;
  out.global_options = jobs.global_options;
  for (auto& c : clones) {
    c->result.elapsed = static_cast<uint64_t>((run_end - t0 + kSecond - 1) / kSecond);
    out.jobs.push_back(std::move(c->result));
  }
  return out;
}

}  // namespace mdsim
