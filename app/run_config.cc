// RunConfig parsing and serialisation: see run_config.h.
#include "app/run_config.h"

#include <filesystem>

#include "app/array_config.h"
#include "app/builtin_profiles.h"
#include "app/disk_profile_config.h"
#include "bitmaps/registry.h"

namespace mdsim {

namespace {

constexpr int64_t kMaxNs = int64_t{1} << 50;  // ~13 days of simulated time

// Profile fields, shared by profile files and machine overrides in a run config.
void read_profile_fields(JsonObject& o, MachineProfile& p) {
  o.get("name", p.name);
  o.get("description", p.description);
  o.get("sockets", p.sockets, 1, 64);
  o.get("cores_per_socket", p.cores_per_socket, 1, 4096);
  o.get("cores_per_ccx", p.cores_per_ccx, 0, 4096);
  o.get("local_ns", p.local_ns, 0, kMaxNs);
  o.get("same_ccx_ns", p.same_ccx_ns, 0, kMaxNs);
  o.get("same_socket_ns", p.same_socket_ns, 0, kMaxNs);
  o.get("cross_socket_ns", p.cross_socket_ns, 0, kMaxNs);
  o.get("first_touch_ns", p.first_touch_ns, 0, kMaxNs);
  o.get("rcu_grace_ns", p.rcu_grace_ns, 0, kMaxNs);
  JsonObject costs = o.child("costs");
  for (const std::string& k : costs.keys()) {
    Time v = 0;
    costs.get(k.c_str(), v, 0, kMaxNs);
    p.costs[k] = v;
  }
}

const std::vector<std::string>& think_kinds() {
  static const std::vector<std::string> k = {"exponential", "fixed"};
  return k;
}

std::vector<std::string> variant_names() {
  std::vector<std::string> v;
  for (const BitmapVariant& b : bitmap_variants()) v.push_back(b.name);
  return v;
}

void read_bitmap_loop(JsonObject b, BitmapLoopParams& p) {
  b.get_enum("variant", p.variant, variant_names());
  b.get("threads", p.threads, 0, 65536);
  b.get("iodepth", p.iodepth, 1, 4096);
  b.get_enum("pattern", p.pattern, bitmap_loop_patterns());
  int64_t v = static_cast<int64_t>(p.sync_size);
  b.get("sync_size_sectors", v, 1, int64_t{1} << 46);  // up to 32 PiB per device
  p.sync_size = static_cast<Sector>(v);
  v = static_cast<int64_t>(p.chunk_bytes);
  b.get("chunk_bytes", v, 512, int64_t{1} << 40);
  if ((v & (v - 1)) != 0) b.fail("chunk_bytes", "must be a power of two, got " + std::to_string(v));
  p.chunk_bytes = static_cast<uint64_t>(v);
  v = static_cast<int64_t>(p.bs_sectors);
  b.get("bs_sectors", v, 1, 1 << 20);
  if (static_cast<Sector>(v) > p.sync_size) {
    b.fail("bs_sectors", "larger than sync_size_sectors (" + std::to_string(p.sync_size) + ")");
  }
  p.bs_sectors = static_cast<uint64_t>(v);
  b.get("io_ns", p.io_ns, 0, kMaxNs);
  b.get("page_write_ns", p.page_write_ns, 0, kMaxNs);
  b.get("submit_ns", p.submit_ns, 0, kMaxNs);
  b.get("complete_ns", p.complete_ns, 0, kMaxNs);
  b.get("daemon_sleep_ns", p.daemon_sleep_ns, 0, kMaxNs);
  b.get("degraded", p.degraded);
  b.get("duration_ns", p.duration_ns, 1, kMaxNs);
  b.get("crash_at_ns", p.crash_at_ns, 0, kMaxNs);
  b.get("check_invariant", p.check_invariant);
  if (p.crash_at_ns >= p.duration_ns) {
    b.fail("crash_at_ns", "must be before duration_ns (" + std::to_string(p.duration_ns) + ")");
  }
  b.finish();
}

}  // namespace

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names = {"lock_loop", "bitmap_loop", "fio"};
  return names;
}

MachineProfile load_machine_profile(const std::string& name_or_path, const std::string& file,
                                    const std::string& path) {
  nlohmann::json j;
  std::string source;
  bool found = false;
  for (const BuiltinProfile& b : builtin_profiles()) {
    if (name_or_path == b.name) {
      j = parse_json_text(b.json, std::string("profiles/") + b.name + ".json");
      source = std::string("profiles/") + b.name + ".json";
      found = true;
    }
  }
  if (!found) {
    if (!std::filesystem::exists(name_or_path)) {
      std::string names;
      for (const BuiltinProfile& b : builtin_profiles()) names += std::string(", ") + b.name;
      throw ConfigError(file + ": " + path + ": no built-in profile or file named \"" +
                        name_or_path + "\" (built-in: " + names.substr(2) + ")");
    }
    j = parse_json_file(name_or_path);
    source = name_or_path;
  }
  MachineProfile p;
  JsonObject o(j, source, "$");
  read_profile_fields(o, p);
  o.finish({"sources"});
  return p;
}

RunConfig parse_run_config(const nlohmann::json& j, const std::string& file) {
  RunConfig c;
  JsonObject root(j, file, "$");
  root.get("seed", c.seed);
  root.get_enum("scenario", c.scenario, scenario_names());


  JsonObject m = root.child("machine");
  m.get("profile", c.machine_profile_source);
  c.machine = load_machine_profile(c.machine_profile_source, file, m.path("profile"));
  read_profile_fields(m, c.machine);
  int cores = 0;
  m.get("cores", cores, 1, 4096);
  if (cores > 0) {
    if (!m.has("sockets")) c.machine.sockets = std::min(c.machine.sockets, cores);
    if (cores % c.machine.sockets != 0) {
      m.fail("cores", std::to_string(cores) + " cores cannot be split evenly over " +
                          std::to_string(c.machine.sockets) + " sockets");
    }
    c.machine.cores_per_socket = cores / c.machine.sockets;
  }
  if (c.machine.cores() > 4096) m.fail("cores_per_socket", "more than 4096 cores in all");
  m.finish();

  JsonObject l = root.child("lock_loop");
  l.get_enum("lock", c.lock_loop.lock, lock_loop_kinds());
  l.get("threads", c.lock_loop.threads, 0, 65536);
  l.get("hold_ns", c.lock_loop.hold_ns, 0, kMaxNs);
  l.get("think_ns", c.lock_loop.think_ns, 0, kMaxNs);
  std::string think = c.lock_loop.think_exponential ? "exponential" : "fixed";
  l.get_enum("think", think, think_kinds());
  c.lock_loop.think_exponential = think == "exponential";
  l.get("duration_ns", c.lock_loop.duration_ns, 1, kMaxNs);
  l.get("write_percent", c.lock_loop.write_percent, 0, 100);
  l.finish();

  read_bitmap_loop(root.child("bitmap_loop"), c.bitmap_loop);

  if (root.has("disks")) {
    c.disks = resolve_disk_config(j.at("disks"), file, "$.disks", &c.disk_profile_source);
  } else {
    c.disks = load_disk_profile(c.disk_profile_source, file, "$.disks.profile");
  }
  (void)root.child("disks");  // known key
  read_array_config(root.child("array"), c.array, c.disks.capacity_bytes / 512);
  JsonObject f = root.child("fio");
  f.get("job_file", c.fio.job_file);
  f.get("submit_ns", c.fio.submit_ns, 0, kMaxNs);
  f.get("complete_ns", c.fio.complete_ns, 0, kMaxNs);
  f.finish();
  if (c.scenario == "fio") {
    if (c.fio.job_file.empty()) f.fail("job_file", "the fio scenario needs a job file");
    std::filesystem::path jp(c.fio.job_file);
    if (jp.is_relative()) jp = std::filesystem::path(file).parent_path() / jp;
    c.fio.job_file = jp.lexically_normal().string();
  }
  root.finish();
  // A section of another scenario is a mistake (most likely a missing "scenario"), not
  // something to ignore silently.
  for (const auto& [section, owner] : {std::pair<const char*, const char*>{"lock_loop", "lock_loop"},
                                       {"bitmap_loop", "bitmap_loop"},
                                       {"disks", "fio"},
                                       {"array", "fio"},
                                       {"fio", "fio"}}) {
    if (root.has(section) && c.scenario != owner) {
      root.fail(section, std::string("this section is for scenario \"") + owner +
                             "\", but the scenario is \"" + c.scenario + "\"" +
                             (j.contains("scenario") ? "" : " (the default; set \"scenario\")"));
    }
  }  return c;
}

nlohmann::ordered_json to_json(const MachineProfile& p) {
  nlohmann::ordered_json j;
  j["name"] = p.name;
  j["description"] = p.description;
  j["sockets"] = p.sockets;
  j["cores_per_socket"] = p.cores_per_socket;
  j["cores_per_ccx"] = p.cores_per_ccx;
  j["local_ns"] = p.local_ns;
  j["same_ccx_ns"] = p.same_ccx_ns;
  j["same_socket_ns"] = p.same_socket_ns;
  j["cross_socket_ns"] = p.cross_socket_ns;
  j["first_touch_ns"] = p.first_touch_ns;
  j["rcu_grace_ns"] = p.rcu_grace_ns;
  j["costs"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : p.costs) j["costs"][k] = v;
  return j;
}

nlohmann::ordered_json to_json(const RunConfig& c) {
  nlohmann::ordered_json j;
  j["seed"] = c.seed;
  j["scenario"] = c.scenario;
  nlohmann::ordered_json m;
  m["profile"] = c.machine_profile_source;
  nlohmann::ordered_json profile = to_json(c.machine);
  for (auto& [k, v] : profile.items()) m[k] = v;
  j["machine"] = m;
  // Only the scenario's own sections: the resolved config parses back (a section of another
  // scenario is an error).
  const LockLoopParams& l = c.lock_loop;
  if (c.scenario == "lock_loop") j["lock_loop"] = {{"lock", l.lock},
                    {"threads", l.threads},
                    {"hold_ns", l.hold_ns},
                    {"think_ns", l.think_ns},
                    {"think", l.think_exponential ? "exponential" : "fixed"},
                    {"duration_ns", l.duration_ns},
                    {"write_percent", l.write_percent}};
  if (c.scenario == "fio") {
    nlohmann::ordered_json d = to_json(c.disks);
    nlohmann::ordered_json dj;
    dj["profile"] = c.disk_profile_source;
    for (auto& [k, v] : d.items()) dj[k] = v;
    j["disks"] = dj;
    j["array"] = to_json(c.array);
    j["fio"] = {{"job_file", c.fio.job_file},
                {"submit_ns", c.fio.submit_ns},
                {"complete_ns", c.fio.complete_ns}};
  }
  const BitmapLoopParams& b = c.bitmap_loop;
  if (c.scenario == "bitmap_loop") j["bitmap_loop"] = {{"variant", b.variant},
                      {"threads", b.threads},
                      {"iodepth", b.iodepth},
                      {"pattern", b.pattern},
                      {"bs_sectors", b.bs_sectors},
                      {"sync_size_sectors", b.sync_size},
                      {"chunk_bytes", b.chunk_bytes},
                      {"io_ns", b.io_ns},
                      {"page_write_ns", b.page_write_ns},
                      {"submit_ns", b.submit_ns},
                      {"complete_ns", b.complete_ns},
                      {"daemon_sleep_ns", b.daemon_sleep_ns},
                      {"degraded", b.degraded},
                      {"duration_ns", b.duration_ns},
                      {"crash_at_ns", b.crash_at_ns},
                      {"check_invariant", b.check_invariant}};
  return j;
}

}  // namespace mdsim
