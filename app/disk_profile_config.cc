// Disk profiles in JSON: see disk_profile_config.h.
#include "app/disk_profile_config.h"

#include <filesystem>
#include <initializer_list>
#include <system_error>
#include <utility>

#include "raid/disk_service.h"
#include "raid/hdd_geometry.h"

namespace mdsim {

namespace {

constexpr int64_t kMaxNs = int64_t{1} << 50;          // ~13 days of simulated time
constexpr int64_t kMaxPerKibNs = 1000000000;          // 1 s per KiB
constexpr int64_t kMaxBytes = int64_t{1} << 60;       // 1 EiB
constexpr int64_t kMaxIops = int64_t{10000000000};    // 10^10
constexpr double kMinMbps = 0.001;
constexpr double kMaxMbps = 1e7;

void read_time(JsonObject& o, const char* key, Time& out) { o.get(key, out, 0, kMaxNs); }

void read_bytes(JsonObject& o, const char* key, uint64_t& out, int64_t lo) {
  int64_t v = static_cast<int64_t>(out);
  o.get(key, v, lo, kMaxBytes);
  out = static_cast<uint64_t>(v);
}

void read_sources(const nlohmann::json& j, JsonObject& o, std::vector<std::string>& out) {
  if (!j.contains("sources")) return;
  const nlohmann::json& v = j.at("sources");
  if (!v.is_array()) o.fail("sources", "expected an array of strings");
  std::vector<std::string> s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      o.fail("sources[" + std::to_string(i) + "]", "expected a string");
    }
    s.push_back(v[i].get<std::string>());
  }
  out = std::move(s);
}

void read_service(JsonObject o, ServiceTime& st) {
  read_time(o, "min_ns", st.min_ns);
  read_time(o, "mean_ns", st.mean_ns);
  read_time(o, "p99_ns", st.p99_ns);
  o.finish();
}

void read_null(JsonObject o, NullDiskParams& p) {
  read_time(o, "completion_ns", p.completion_ns);
  o.get("iops_limit", p.iops_limit);
  o.get("volatile_cache", p.volatile_cache);
  read_time(o, "flush_ns", p.flush_ns);
  read_time(o, "fua_ns", p.fua_ns);
  o.finish();
}

void read_ramdisk(JsonObject o, RamdiskParams& p) {
  read_time(o, "per_io_ns", p.per_io_ns);
  o.get("per_kib_ns", p.per_kib_ns, 0, kMaxPerKibNs);
  o.get("discard_per_kib_ns", p.discard_per_kib_ns, 0, kMaxPerKibNs);
  o.finish();
}

void read_flash(JsonObject o, FlashParams& p) {
  o.get("parallel_units", p.parallel_units, 1, 1 << 20);
  int64_t v = static_cast<int64_t>(p.read_iops_max);
  o.get("read_iops_max", v, 1, kMaxIops);
  p.read_iops_max = static_cast<uint64_t>(v);
  v = static_cast<int64_t>(p.write_iops_max);
  o.get("write_iops_max", v, 1, kMaxIops);
  p.write_iops_max = static_cast<uint64_t>(v);
  read_service(o.child("read"), p.read);
  read_service(o.child("write"), p.write);
  o.get("read_mbps", p.read_mbps, kMinMbps, kMaxMbps);
  o.get("write_mbps", p.write_mbps, kMinMbps, kMaxMbps);
  read_bytes(o, "write_cache_bytes", p.write_cache_bytes, 0);
  o.get("drain_mbps", p.drain_mbps, kMinMbps, kMaxMbps);
  read_time(o, "program_ns", p.program_ns);
  read_time(o, "flush_ns", p.flush_ns);
  read_time(o, "discard_ns", p.discard_ns);
  o.get("fua_native", p.fua_native);
  o.get("queued_discard", p.queued_discard);
  o.finish();
}

const std::vector<std::string>& queue_orders() {
  static const std::vector<std::string> k = {"sptf", "fifo"};
  return k;
}

void read_hdd(JsonObject o, HddParams& p) {
  o.get("rpm", p.rpm, 1000, 30000);
  read_time(o, "track_to_track_ns", p.track_to_track_ns);
  read_time(o, "average_seek_ns", p.average_seek_ns);
  read_time(o, "full_stroke_ns", p.full_stroke_ns);
  read_time(o, "write_settle_ns", p.write_settle_ns);
  o.get("outer_mbps", p.outer_mbps, kMinMbps, kMaxMbps);
  o.get("inner_mbps", p.inner_mbps, kMinMbps, kMaxMbps);
  o.get("interface_mbps", p.interface_mbps, kMinMbps, kMaxMbps);
  read_time(o, "command_ns", p.command_ns);
  o.get_enum("queue_order", p.queue_order, queue_orders());
  o.get("write_cache", p.write_cache);
  read_bytes(o, "write_cache_bytes", p.write_cache_bytes, 0);
  read_bytes(o, "readahead_bytes", p.readahead_bytes, 0);
  read_time(o, "flush_ns", p.flush_ns);
  o.finish();
}

void read_expect(JsonObject o, DiskExpect& e) {
  o.get("qd_high", e.qd_high, 1, 65536);
  o.get("cores", e.cores, 1, 4096);
  o.get("qd1_randread_lat_us", e.qd1_randread_lat_us, 0, 1e12);
  o.get("qd1_randwrite_lat_us", e.qd1_randwrite_lat_us, 0, 1e12);
  o.get("randread_iops_qd_high", e.randread_iops_qd_high, 0, 1e12);
  o.get("randwrite_iops_qd_high", e.randwrite_iops_qd_high, 0, 1e12);
  o.get("seq_read_mbps", e.seq_read_mbps, 0, 1e12);
  o.get("seq_write_mbps", e.seq_write_mbps, 0, 1e12);
  o.finish();
}

// Every profile field present in `o` overwrites the one in `p` (absent ones stay).
void read_fields(const nlohmann::json& j, JsonObject& o, DiskProfile& p) {
  o.get("name", p.name);
  o.get_enum("model", p.model, disk_model_names());
  o.get("description", p.description);
  read_sources(j, o, p.sources);
  read_bytes(o, "capacity_bytes", p.capacity_bytes, 1);
  o.get("nr_hw_queues", p.nr_hw_queues, 1, 4096);
  o.get("queue_depth", p.queue_depth, 0, 65536);
  read_time(o, "fail_delay_ns", p.fail_delay_ns);
  read_null(o.child("null_disk"), p.null_disk);
  read_ramdisk(o.child("ramdisk"), p.ramdisk);
  read_flash(o.child("flash"), p.flash);
  read_hdd(o.child("hdd"), p.hdd);
  read_expect(o.child("expect"), p.expect);
}

// A check's message names the field it is about first ("p99_ns must be above mean_ns"): point
// the path at that field when it is one of the group's.
std::string field_of(const std::string& why, std::initializer_list<const char*> fields) {
  std::string first = why.substr(0, why.find(' '));
  for (const char* f : fields) {
    if (first == f) return std::string(".") + f;
  }
  return "";
}

// What makes `p` unrunnable, as {path below the profile, message}; {"", ""} when it is fine.
std::pair<std::string, std::string> invalid(const DiskProfile& p) {
  if (p.capacity_bytes % 512 != 0) {
    return {"capacity_bytes",
            "must be a multiple of 512, got " + std::to_string(p.capacity_bytes)};
  }
  const bool sata = p.model == "sata_ssd" || p.model == "hdd";
  if (sata && p.nr_hw_queues != 1) {
    return {"nr_hw_queues", "a SATA device (" + p.model + ") has one NCQ queue: must be 1, got " +
                                std::to_string(p.nr_hw_queues)};
  }
  if (sata && (p.queue_depth < 1 || p.queue_depth > 32)) {
    return {"queue_depth", "a SATA device (" + p.model +
                               ") has 1 to 32 NCQ tags: must be between 1 and 32, got " +
                               std::to_string(p.queue_depth)};
  }
  if (p.model == "nvme" || p.model == "sata_ssd") {
    using Group = std::pair<const char*, const ServiceTime*>;
    for (const auto& [name, st] : {Group{"read", &p.flash.read}, Group{"write", &p.flash.write}}) {
      std::string why = ServiceDistribution::check(*st);
      if (!why.empty()) {
        return {std::string("flash.") + name + field_of(why, {"min_ns", "mean_ns", "p99_ns"}),
                why};
      }
    }
  }
  if (p.model == "hdd") {
    std::string why = HddGeometry::check(p.hdd);
    if (!why.empty()) {
      return {"hdd" + field_of(why, {"rpm", "track_to_track_ns", "average_seek_ns",
                                     "full_stroke_ns"}),
              why};
    }
  }
  return {"", ""};
}

void validate(const DiskProfile& p, const std::string& file, const std::string& path,
              const std::string& note) {
  auto [where, why] = invalid(p);
  if (why.empty()) return;
  throw ConfigError(file + ": " + path + "." + where + ": " + why + note);
}

std::string builtin_names() {
  std::string names;
  for (const BuiltinProfile& b : builtin_disk_profiles()) names += std::string(", ") + b.name;
  return names.empty() ? "none" : names.substr(2);
}

}  // namespace

DiskProfile parse_disk_profile(const nlohmann::json& j, const std::string& file,
                               const std::string& path) {
  DiskProfile p;
  JsonObject o(j, file, path);
  read_fields(j, o, p);
  o.finish({"sources"});
  validate(p, file, path, "");
  return p;
}

DiskProfile load_disk_profile(const std::string& name_or_path, const std::string& file,
                              const std::string& path) {
  for (const BuiltinProfile& b : builtin_disk_profiles()) {
    if (name_or_path == b.name) {
      std::string source = std::string("profiles/disks/") + b.name + ".json";
      return parse_disk_profile(parse_json_text(b.json, source), source);
    }
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(name_or_path, ec)) {
    throw ConfigError(file + ": " + path + ": no built-in disk profile or file named \"" +
                      name_or_path + "\" (built-in: " + builtin_names() + ")");
  }
  return parse_disk_profile(parse_json_file(name_or_path), name_or_path);
}

DiskProfile resolve_disk_config(const nlohmann::json& j, const std::string& file,
                                const std::string& path, std::string* profile_source) {
  JsonObject o(j, file, path);
  std::string source = "null";
  o.get("profile", source);
  DiskProfile p = load_disk_profile(source, file, o.path("profile"));
  read_fields(j, o, p);
  o.finish({"sources"});
  validate(p, file, path, " (after merging onto disk profile \"" + source + "\")");
  if (profile_source != nullptr) *profile_source = source;
  return p;
}

nlohmann::ordered_json to_json(const DiskProfile& p) {
  auto service = [](const ServiceTime& st) {
    return nlohmann::ordered_json{{"min_ns", st.min_ns}, {"mean_ns", st.mean_ns},
                                  {"p99_ns", st.p99_ns}};
  };
  nlohmann::ordered_json j;
  j["name"] = p.name;
  j["model"] = p.model;
  j["description"] = p.description;
  j["sources"] = p.sources;
  j["capacity_bytes"] = p.capacity_bytes;
  j["nr_hw_queues"] = p.nr_hw_queues;
  j["queue_depth"] = p.queue_depth;
  j["fail_delay_ns"] = p.fail_delay_ns;
  const NullDiskParams& n = p.null_disk;
  j["null_disk"] = {{"completion_ns", n.completion_ns}, {"iops_limit", n.iops_limit},
                    {"volatile_cache", n.volatile_cache}, {"flush_ns", n.flush_ns},
                    {"fua_ns", n.fua_ns}};
  const RamdiskParams& r = p.ramdisk;
  j["ramdisk"] = {{"per_io_ns", r.per_io_ns}, {"per_kib_ns", r.per_kib_ns},
                  {"discard_per_kib_ns", r.discard_per_kib_ns}};
  const FlashParams& f = p.flash;
  j["flash"] = {{"parallel_units", f.parallel_units}, {"read_iops_max", f.read_iops_max},
                {"write_iops_max", f.write_iops_max}, {"read", service(f.read)},
                {"write", service(f.write)}, {"read_mbps", f.read_mbps},
                {"write_mbps", f.write_mbps}, {"write_cache_bytes", f.write_cache_bytes},
                {"drain_mbps", f.drain_mbps}, {"program_ns", f.program_ns},
                {"flush_ns", f.flush_ns}, {"discard_ns", f.discard_ns},
                {"fua_native", f.fua_native}, {"queued_discard", f.queued_discard}};
  const HddParams& h = p.hdd;
  j["hdd"] = {{"rpm", h.rpm}, {"track_to_track_ns", h.track_to_track_ns},
              {"average_seek_ns", h.average_seek_ns}, {"full_stroke_ns", h.full_stroke_ns},
              {"write_settle_ns", h.write_settle_ns}, {"outer_mbps", h.outer_mbps},
              {"inner_mbps", h.inner_mbps}, {"interface_mbps", h.interface_mbps},
              {"command_ns", h.command_ns}, {"queue_order", h.queue_order},
              {"write_cache", h.write_cache}, {"write_cache_bytes", h.write_cache_bytes},
              {"readahead_bytes", h.readahead_bytes}, {"flush_ns", h.flush_ns}};
  const DiskExpect& e = p.expect;
  j["expect"] = {{"qd_high", e.qd_high}, {"cores", e.cores},
                 {"qd1_randread_lat_us", e.qd1_randread_lat_us},
                 {"qd1_randwrite_lat_us", e.qd1_randwrite_lat_us},
                 {"randread_iops_qd_high", e.randread_iops_qd_high},
                 {"randwrite_iops_qd_high", e.randwrite_iops_qd_high},
                 {"seq_read_mbps", e.seq_read_mbps}, {"seq_write_mbps", e.seq_write_mbps}};
  return j;
}

}  // namespace mdsim
