// The run driver: see run.h.
#include "app/run.h"

#include "bitmaps/bitmap_loop.h"
#include "results/bitmap_json.h"
#include "results/sim_json.h"
#include "sim/lock_loop.h"
#include "sim/machine.h"
#include "sim/random.h"
#include "sim/simulator.h"

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

}  // namespace

RunOutput run_simulation(const RunConfig& config) {
  Simulator sim;
  Machine machine(sim, config.machine);
  RandomStreams streams(config.seed);
  nlohmann::ordered_json scenario;
  RunOutput out;
  if (config.scenario == "lock_loop") {
    scenario = lock_loop_json(run_lock_loop(machine, config.lock_loop, streams));
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
  md[config.scenario] = scenario;
  out.result["mdsim"] = md;
  out.lock_stat_text = machine.lock_stats().to_text();
  return out;
}

}  // namespace mdsim
