// The run driver: see run.h.
#include "app/run.h"

#include "bitmaps/bitmap_loop.h"
#include "raid/md_resync.h"
#include "raid/mddev.h"
#include "results/bitmap_json.h"
#include "results/fio_json.h"
#include "results/sim_json.h"
#include "sim/lock_loop.h"
#include "sim/machine.h"
#include "sim/random.h"
#include "sim/simulator.h"
#include "workloads/fio_job.h"
#include "workloads/fio_runner.h"

namespace mdsim {

const char* mdsim_version() { return MDSIM_VERSION; }
const char* mdsim_build_id() { return MDSIM_BUILD_ID; }

namespace {

nlohmann::ordered_json lock_loop_json(const LockLoopResult& r) {
  nlohmann::ordered_json j;
  j["threads"] = r.threads;
  j["ops"] = r.ops;
  j["ops_per_sec"] = r.ops_per_sec;
  j["theory"] = {{"uncontended_ops_per_sec", r.theory_uncontended_ops_per_sec},
                 {"saturated_ops_per_sec", r.theory_saturated_ops_per_sec}};
  j["wait_share"] = r.wait_share;
  j["latency_ns"] = latency_json(r.acquire_latency);
  return j;
}

nlohmann::ordered_json bitmap_loop_json(const BitmapLoopResult& r) {
  nlohmann::ordered_json j;
  j["threads"] = r.threads;
  j["writes"] = r.writes;
  j["writes_per_sec"] = r.writes_per_sec;
  j["sync_share"] = r.sync_share;
  j["bitmap_share"] = r.bitmap_share;
  j["cpu_ns_per_write"] = r.cpu_ns_per_write;
  j["daemon_passes"] = r.daemon_passes;
  j["page_writes"] = r.page_writes;
  j["crashed"] = r.crashed;
  j["end_ns"] = r.end_ns;
  j["in_flight_at_end"] = r.in_flight_at_end;
  j["invariant"] = {{"checks", r.invariant_checks},
                    {"violations", r.invariant_violations},
                    {"first_violation", r.first_violation},
                    {"cleared_in_flight", r.invariant_cleared},
                    {"first_cleared", r.first_cleared}};
  j["startwrite_latency_ns"] = latency_json(r.startwrite_latency);
  j["write_latency_ns"] = latency_json(r.write_latency);
  j["bitmap_stats"] = bitmap_stats_json(r.stats);
  j["bitmap_image_bytes"] = r.image.size();
  return j;
}

nlohmann::ordered_json disk_json(const Disk& d, Time now) {
  const DiskStats& st = d.stats();
  nlohmann::ordered_json j;
  j["name"] = d.name();
  j["model"] = d.profile().model;
  for (DiskOp op : {DiskOp::kRead, DiskOp::kWrite, DiskOp::kFlush, DiskOp::kDiscard}) {
    const DiskOpStats& o = st.op(op);
    j[disk_op_name(op)] = {{"ios", o.ios}, {"bytes", o.bytes}, {"errors", o.errors},
                           {"latency_ns", latency_json(o.latency)}};
  }
  j["flush_commands"] = st.flush_commands();
  j["fua_writes"] = st.fua_writes();
  j["avg_queue_depth"] = st.avg_queue_depth(now);
  j["max_queue_depth"] = st.max_queue_depth();
  j["utilisation"] = st.utilisation(now);
  return j;
}

// The sync thread's timeline (docs/RESYNC.md), null without one.
nlohmann::ordered_json resync_json(Mddev& md) {
  if (md.resync() == nullptr) return nullptr;
  const ResyncConfig& c = md.resync()->config();
  const ResyncTimeline& t = md.resync()->timeline();
  nlohmann::ordered_json j;
  j["kind"] = t.kind == ResyncKind::kRecovery ? "recovery" : "resync";
  j["member"] = t.member >= 0 ? nlohmann::ordered_json(t.member) : nlohmann::ordered_json();
  j["bitmap"] = md.config().bitmap;
  j["start_ns"] = t.start;
  const bool ended = t.end >= 0;
  j["end_ns"] = ended ? nlohmann::ordered_json(t.end) : nlohmann::ordered_json();
  j["duration_ns"] = ended ? nlohmann::ordered_json(t.end - t.start) : nlohmann::ordered_json();
  j["interrupted"] = t.interrupted;
  j["start_sector"] = t.start_sector;
  j["max_sectors"] = t.max_sectors;
  j["dirty_chunks"] = t.dirty_chunks;
  j["to_do_sectors"] = t.to_do_sectors;
  j["done_sectors"] = t.done_sectors;
  j["skipped_sectors"] = t.skipped_sectors;
  const double secs = ended ? to_seconds(t.end - t.start) : 0.0;
  j["avg_kib_s"] = secs > 0 ? static_cast<double>(t.done_sectors) / 2.0 / secs : 0.0;
  j["speed_min_kib"] = c.speed_min_kib;
  j["speed_max_kib"] = c.speed_max_kib;
  j["throttle"] = {{"max_sleeps", t.max_sleeps}, {"idle_waits", t.idle_waits}};
  if (const auto b = md.personality().sync_barrier_stats()) {
    j["barrier"] = {{"io_waits", b->io_waits},
                    {"io_wait_ns", b->io_wait_ns},
                    {"resync_waits", b->resync_waits},
                    {"resync_wait_ns", b->resync_wait_ns},
                    {"nr_waiting_sleeps", b->nr_waiting_sleeps}};
  }
  j["interval_ns"] = c.timeline_interval;
  nlohmann::ordered_json samples = nlohmann::ordered_json::array();
  for (const ResyncSample& s : t.samples) {
    samples.push_back({{"time_ns", s.time},
                       {"done_sectors", s.done_sectors},
                       {"position_sectors", s.position_sectors},
                       {"speed_kib", s.speed_kib},
                       {"interval_kib", s.interval_kib}});
  }
  j["samples"] = samples;
  return j;
}

// fio jobs on an md array: the fio JSON (json+ bins) with the mdsim section.
FioRunResult run_fio_scenario(const RunConfig& config, Machine& machine,
                              const RandomStreams& streams, nlohmann::ordered_json* md_json,
                              RunOutput* out) {
  FioJobFile jobs;
  try {
    jobs = load_fio_jobfile(config.fio.job_file);
  } catch (const FioJobError& e) {
    throw ConfigError(e.what());
  }
  std::vector<std::unique_ptr<Disk>> disks;
  for (int i = 0; i < config.array.raid_disks; ++i) {
    disks.push_back(make_disk(config.disks, machine.sim(), streams, "md0." + std::to_string(i)));
  }
  ArrayConfig array = config.array;
  array.resync.seed = config.seed;  // which chunks an unclean stop left dirty
  Mddev md(machine, array, std::move(disks));
  FioRunnerOptions opt;
  opt.submit_ns = config.fio.submit_ns;
  opt.complete_ns = config.fio.complete_ns;
  FioRunResult run;
  try {
    run = run_fio_jobs(md, jobs, streams, opt);
  } catch (const FioJobError& e) {
    throw ConfigError(e.what());
  }
  run.global_options = jobs.global_options;
  nlohmann::ordered_json arr;
  const Mddev::Stats& s = md.stats();
  arr["array_sectors"] = md.array_sectors();
  arr["degraded"] = md.degraded();
  arr["host_bios"] = {{"reads", s.reads}, {"writes", s.writes}, {"flushes", s.flushes},
                      {"discards", s.discards}, {"errors", s.errors}};
  arr["member_ios"] = s.member_ios;
  arr["bitmap_calls"] = {{"startwrite", s.bitmap_startwrites}, {"endwrite", s.bitmap_endwrites}};
  arr["bitmap_page_writes"] = s.bitmap_page_writes;
  arr["daemon_passes"] = s.daemon_passes;
  arr["bitmap_stats"] = bitmap_stats_json(md.bitmap().get_stats());
  nlohmann::ordered_json members = nlohmann::ordered_json::array();
  for (int i = 0; i < md.raid_disks(); ++i) {
    members.push_back(disk_json(*md.member(i).disk, machine.sim().now()));
  }
  arr["members"] = members;
  (*md_json)["array"] = arr;
  (*md_json)["resync"] = resync_json(md);
  if (md.bitmap_enabled()) {
    out->has_bitmap_image = true;
    out->bitmap_image = md.bitmap().disk_image();
  }
  return run;
}

}  // namespace

RunOutput run_simulation(const RunConfig& config) {
  Simulator sim;
  Machine machine(sim, config.machine);
  RandomStreams streams(config.seed);
  nlohmann::ordered_json scenario;
  nlohmann::ordered_json resync;  // null unless the fio scenario's array resyncs
  RunOutput out;
  if (config.scenario == "lock_loop") {
    scenario = lock_loop_json(run_lock_loop(machine, config.lock_loop, streams));
  } else if (config.scenario == "fio") {
    nlohmann::ordered_json arr;
    out.fio = run_fio_scenario(config, machine, streams, &arr, &out);
    scenario = arr["array"];
    resync = arr["resync"];
  } else if (config.scenario == "bitmap_loop") {
    BitmapLoopResult r = run_bitmap_loop(machine, config.bitmap_loop, streams);
    scenario = bitmap_loop_json(r);
    out.has_bitmap_image = true;
    out.bitmap_image = std::move(r.image);
  }
  out.events = sim.events_fired();
  nlohmann::ordered_json md;
  md["version"] = mdsim_version();
  md["build_id"] = mdsim_build_id();
  md["config"] = to_json(config);
  md["sim"] = {{"events", sim.events_fired()}, {"sim_time_ns", sim.now()}};
  md["lock_stat"] = lock_stat_json(machine.lock_stats());
  md["cpu"] = cpu_json(machine);
  if (out.fio) {  // fio's json+ with the mdsim section, its array statistics under "array"
    md["array"] = scenario;
    md["resync"] = resync;
    out.result = fio_json(*out.fio, FioJsonFormat::kJsonPlus, md);
  } else {
    md[config.scenario] = scenario;
    md["resync"] = resync;
    out.result["mdsim"] = md;
  }
  out.mdsim = std::move(md);
  out.lock_stat_text = machine.lock_stats().to_text();
  return out;
}

}  // namespace mdsim
