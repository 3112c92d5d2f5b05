// Engine statistics as JSON: see sim_json.h.
#include "results/sim_json.h"

#include <cstdio>

namespace mdsim {

namespace {

void add_side(nlohmann::ordered_json& rows, const LockClass& c, const char* rw, LockSide side) {
  const LockSideStats& s = c.side(side);
  nlohmann::ordered_json row;
  row["class"] = c.name();
  row["rw"] = rw;
  row["con_bounces"] = s.con_bounces;
  row["contentions"] = s.wait.nr;
  row["waittime_min_ns"] = s.wait.min;
  row["waittime_max_ns"] = s.wait.max;
  row["waittime_total_ns"] = s.wait.total;
  row["acq_bounces"] = s.acq_bounces;
  row["acquisitions"] = s.hold.nr;
  row["holdtime_min_ns"] = s.hold.min;
  row["holdtime_max_ns"] = s.hold.max;
  row["holdtime_total_ns"] = s.hold.total;
  nlohmann::ordered_json sites = nlohmann::ordered_json::array();
  for (const auto& [site, n] : c.top_sites(4)) sites.push_back({{"site", site}, {"count", n}});
  row["contention_points"] = sites;
  rows.push_back(row);
}

}  // namespace

nlohmann::ordered_json lock_stat_json(const LockStatRegistry& r) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const LockClass* c : r.sorted()) {
    bool w = c->side(LockSide::kWrite).hold.nr > 0;
    bool rd = c->side(LockSide::kRead).hold.nr > 0;
    if (w) add_side(rows, *c, rd ? "W" : "", LockSide::kWrite);
    if (rd) add_side(rows, *c, "R", LockSide::kRead);
  }
  return rows;
}

nlohmann::ordered_json cpu_json(const Machine& m) {
  nlohmann::ordered_json j;
  j["cores"] = m.num_cpus();
  nlohmann::ordered_json util = nlohmann::ordered_json::array();
  nlohmann::ordered_json busy = nlohmann::ordered_json::array();
  for (int i = 0; i < m.num_cpus(); ++i) {
    util.push_back(m.cpu(i).utilisation());
    busy.push_back(m.cpu(i).busy_time());
  }
  j["utilisation"] = util;
  j["busy_ns"] = busy;
  nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
  const auto& names = m.kind_names();
  for (size_t k = 1; k < names.size(); ++k) {  // kind 0 is "idle", never charged
    Time t = 0;
    for (int i = 0; i < m.num_cpus(); ++i) t += m.cpu(i).time_in(static_cast<KindId>(k));
    kinds[names[k]] = t;
  }
  j["time_ns_by_kind"] = kinds;
  return j;
}

nlohmann::ordered_json latency_json(const LatencyHistogram& h) {
  nlohmann::ordered_json j;
  j["min"] = h.min();
  j["max"] = h.max();
  j["mean"] = h.mean();
  j["stddev"] = h.stddev();
  j["N"] = h.count();
  nlohmann::ordered_json p = nlohmann::ordered_json::object();
  for (const auto& [pct, v] : h.default_percentiles()) {
    char key[32];
    std::snprintf(key, sizeof key, "%f", pct);
    p[key] = v;
  }
  j["percentile"] = p;
  return j;
}

}  // namespace mdsim
