// The run driver: see run.h.
#include "app/run.h"

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

}  // namespace

RunOutput run_simulation(const RunConfig& config) {
  Simulator sim;
  Machine machine(sim, config.machine);
  RandomStreams streams(config.seed);
  nlohmann::ordered_json scenario;
  if (config.scenario == "lock_loop") {
    scenario = lock_loop_json(run_lock_loop(machine, config.lock_loop, streams));
  }
  RunOutput out;
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
