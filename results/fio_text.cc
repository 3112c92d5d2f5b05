// fio 3.33 normal text output: see fio_text.h.
#include "results/fio_text.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace mdsim {

namespace {

constexpr int kSigFigs = 4;  // fio's default sig_figs

// printf-style append.
[[gnu::format(printf, 2, 3)]] void put(std::string& out, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) out.append(buf, std::min(static_cast<size_t>(n), sizeof buf - 1));
}

using ull = unsigned long long;

std::string bytes_str(uint64_t n, bool pow2) {
  return fio_num2str(n, kSigFigs, 1, pow2, FioUnit::kByte);
}
std::string rate_str(uint64_t n, bool pow2) {
  return fio_num2str(n, kSigFigs, 1, pow2, FioUnit::kBytePerSec);
}

// display_lat: min/max/avg/stdev in nsec, or usec/msec when the values are large enough.
void display_lat(std::string& out, const char* name, const LatencyHistogram& h) {
  ull min = static_cast<ull>(h.min());
  ull max = static_cast<ull>(h.max());
  double mean = h.mean();
  double dev = h.stddev();
  const char* base = "(nsec)";
  if (min > 2000000 && max > 99999999ULL && dev > 1000000.0) {
    min /= 1000000;
    max /= 1000000;
    mean /= 1000000.0;
    dev /= 1000000.0;
    base = "(msec)";
  } else if (min > 2000 && max > 99999 && dev > 1000.0) {
    min /= 1000;
    max /= 1000;
    mean /= 1000.0;
    dev /= 1000.0;
    base = "(usec)";
  }
  put(out, "    %s %s: min=%s, max=%s, avg=%5.02f, stdev=%5.02f\n", name, base,
      fio_num2str(min, 6, 1, false, FioUnit::kNone).c_str(),
      fio_num2str(max, 6, 1, false, FioUnit::kNone).c_str(), mean, dev);
}

// show_clat_percentiles.
void show_percentiles(std::string& out, const LatencyHistogram& h, const FioJobResult& job,
                      const char* pre) {
  std::vector<std::pair<double, Time>> values = fio_percentiles(h, job.percentile_list);
  if (values.empty()) return;
  ull minv = ~0ULL;
  ull maxv = 0;
  for (const auto& [p, v] : values) {
    minv = std::min(minv, static_cast<ull>(v));
    maxv = std::max(maxv, static_cast<ull>(v));
  }
  int scale_down = 0;
  ull divisor = 1;
  const char* unit = "nsec";
  if (minv > 2000000 && maxv > 99999999ULL) {
    scale_down = 2;
    divisor = 1000000;
    unit = "msec";
  } else if (minv > 2000 && maxv > 99999) {
    scale_down = 1;
    divisor = 1000;
    unit = "usec";
  }
  put(out, "    %s percentiles (%s):\n     |", pre, unit);
  const ull top = maxv / divisor;
  const int time_width = top == 0 ? 5 : std::max(5, static_cast<int>(std::log10(top) + 1));
  const int precision = job.percentile_precision;
  const int per_line = (80 - 7) / (precision + 10 + time_width);
  for (size_t j = 0; j < values.size(); ++j) {
    if (j != 0 && j % static_cast<size_t>(per_line) == 0) out += "     |";
    const bool last = j + 1 == values.size();
    ull v = static_cast<ull>(values[j].second);
    for (int i = 0; i < scale_down; ++i) v = (v + 999) / 1000;
    put(out, " %*.*fth=[%*llu]%c", precision + 3, precision, values[j].first, time_width, v,
        last ? '\n' : ',');
    if (last) break;
    if (j % static_cast<size_t>(per_line) == static_cast<size_t>(per_line - 1)) out += "\n";
  }
}

// show_ddir_status for read/write/trim.
void show_ddir(std::string& out, const FioJobResult& job, size_t d, const FioGroupStats& rs) {
  const FioDirStats& s = job.dirs[d];
  const uint64_t runt = fio_runtime_ms(s.runtime);
  if (runt == 0) return;
  const uint64_t bw = 1000 * s.io_bytes / runt;
  const uint64_t iops = 1000 * s.total_ios / runt;
  put(out, "  %s: IOPS=%s, BW=%s (%s)(%s/%llumsec)%s\n", kFioDdirNames[d],
      fio_num2str(iops, kSigFigs, 1, false, FioUnit::kNone).c_str(), rate_str(bw, true).c_str(),
      rate_str(bw, false).c_str(), bytes_str(s.io_bytes, true).c_str(), static_cast<ull>(runt),
      d == static_cast<size_t>(FioDdir::kWrite) ? "; 0 zone resets" : "");
  if (!s.slat.empty()) display_lat(out, "slat", s.slat);
  if (!s.clat.empty()) display_lat(out, "clat", s.clat);
  if (!s.lat.empty()) display_lat(out, " lat", s.lat);
  if (job.slat_percentiles && !s.slat.empty()) show_percentiles(out, s.slat, job, "slat");
  if (job.clat_percentiles && !s.clat.empty()) show_percentiles(out, s.clat, job, "clat");
  if (job.lat_percentiles && !s.lat.empty()) show_percentiles(out, s.lat, job, "lat");
  if (s.bw.samples != 0) {
    double mean = s.bw.mean;
    double dev = s.bw.stddev();
    ull min = s.bw.min;
    ull max = s.bw.max;
    double p_of_agg = 100.0;  // convert_agg_kbytes_percent, on the int-truncated mean
    if (rs.agg[d] > 1024) {
      p_of_agg = std::min(100.0, static_cast<int>(mean) * 100.0 / (rs.agg[d] / 1024.0));
    }
    const char* unit = "KiB";
    if (mean > 1024.0 * 1024.0) {
      min = static_cast<ull>(static_cast<double>(min) / 1024.0);
      max = static_cast<ull>(static_cast<double>(max) / 1024.0);
      mean /= 1024.0;
      dev /= 1024.0;
      unit = "MiB";
    }
    put(out,
        "   bw (%5s/s): min=%5llu, max=%5llu, per=%3.2f%%, avg=%5.02f, stdev=%5.02f, "
        "samples=%llu\n",
        unit, min, max, p_of_agg, mean, dev, static_cast<ull>(s.bw.samples));
  }
  if (s.iops.samples != 0) {
    put(out, "   iops        : min=%5llu, max=%5llu, avg=%5.02f, stdev=%5.02f, samples=%llu\n",
        static_cast<ull>(s.iops.min), static_cast<ull>(s.iops.max), s.iops.mean, s.iops.stddev(),
        static_cast<ull>(s.iops.samples));
  }
}

// show_lat: one ladder of the latency distribution, five buckets per line.
template <size_t N>
void show_lat(std::string& out, const std::array<double, N>& values,
              const std::array<const char*, N>& labels, const char* unit) {
  bool shown = false;
  bool new_line = true;
  int line = 0;
  for (size_t i = 0; i < N; ++i) {
    if (values[i] <= 0.0) continue;
    shown = true;
    if (new_line) {
      if (line != 0) out += "\n";
      put(out, "  lat (%s)   : ", unit);
      new_line = false;
      line = 0;
    }
    if (line != 0) out += ", ";
    put(out, "%s=%3.2f%%", labels[i], values[i]);
    if (++line == 5) new_line = true;
  }
  if (shown) out += "\n";
}

void show_dist(std::string& out, const char* head, const std::array<double, kFioDepthSlots>& v,
               bool submit) {
  if (submit) {
    put(out,
        "%s: 0=%3.1f%%, 4=%3.1f%%, 8=%3.1f%%, 16=%3.1f%%, 32=%3.1f%%, 64=%3.1f%%, "
        ">=64=%3.1f%%\n",
        head, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
  } else {
    put(out,
        "%s: 1=%3.1f%%, 2=%3.1f%%, 4=%3.1f%%, 8=%3.1f%%, 16=%3.1f%%, 32=%3.1f%%, "
        ">=64=%3.1f%%\n",
        head, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
  }
}

// show_thread_status_normal.
void show_job(std::string& out, const FioJobResult& job, const FioGroupStats& rs,
              const std::string& time) {
  uint64_t rw_bytes = 0;
  uint64_t rw_ios = 0;
  for (const FioDirStats& d : job.dirs) {
    rw_bytes += d.io_bytes;
    rw_ios += d.total_ios;
  }
  if (rw_bytes == 0 && rw_ios == 0) return;
  if (job.error == 0) {
    put(out, "%s: (groupid=%d, jobs=%d): err=%2d: pid=%d: %s\n", job.name.c_str(), job.groupid,
        job.members, job.error, job.pid, time.c_str());
  } else {
    put(out, "%s: (groupid=%d, jobs=%d): err=%2d (%s): pid=%d: %s\n", job.name.c_str(), job.groupid,
        job.members, job.error, job.verror.c_str(), job.pid, time.c_str());
  }
  if (!job.description.empty()) put(out, "  Description  : [%s]\n", job.description.c_str());
  for (size_t d = 0; d < kFioDdirs; ++d) {
    if (job.dirs[d].io_bytes != 0) show_ddir(out, job, d, rs);
  }
  const FioLatencyBuckets lat = fio_latency_buckets(job);
  show_lat(out, lat.ns, FioLatencyBuckets::kLabels, "nsec");
  show_lat(out, lat.us, FioLatencyBuckets::kLabels, "usec");
  show_lat(out, lat.ms, FioLatencyBuckets::kMsLabels, "msec");
  if (!job.sync_lat.empty()) {
    out += "  fsync/fdatasync/sync_file_range:\n";
    display_lat(out, "sync", job.sync_lat);
    show_percentiles(out, job.sync_lat, job, "sync");
  }
  put(out, "  cpu          : usr=%3.2f%%, sys=%3.2f%%, ctx=%llu, majf=%llu, minf=%llu\n",
      fio_cpu_percent(job.usr_time, job.job_runtime),
      fio_cpu_percent(job.sys_time, job.job_runtime), static_cast<ull>(job.ctx),
      static_cast<ull>(job.majf), static_cast<ull>(job.minf));
  show_dist(out, "  IO depths    ", fio_depth_dist(job.io_u_map, rw_ios), false);
  show_dist(out, "     submit    ", fio_depth_dist(job.io_u_submit, job.total_submit), true);
  show_dist(out, "     complete  ", fio_depth_dist(job.io_u_complete, job.total_complete), true);
  const auto& d = job.dirs;
  put(out,
      "     issued rwts: total=%llu,%llu,%llu,%llu short=%llu,%llu,%llu,0 "
      "dropped=%llu,%llu,%llu,0\n",
      static_cast<ull>(d[0].total_ios), static_cast<ull>(d[1].total_ios),
      static_cast<ull>(d[2].total_ios), static_cast<ull>(job.sync_ios),
      static_cast<ull>(d[0].short_ios), static_cast<ull>(d[1].short_ios),
      static_cast<ull>(d[2].short_ios), static_cast<ull>(d[0].drop_ios),
      static_cast<ull>(d[1].drop_ios), static_cast<ull>(d[2].drop_ios));
  if (job.latency_depth != 0) {
    put(out, "     latency   : target=%llu, window=%llu, percentile=%.2f%%, depth=%u\n",
        static_cast<ull>(job.latency_target), static_cast<ull>(job.latency_window),
        job.latency_percentile, job.latency_depth);
  }
}

// show_group_stats.
void show_group(std::string& out, const FioGroupStats& rs) {
  static constexpr std::array<const char*, kFioDdirs> kNames = {"   READ", "  WRITE", "   TRIM"};
  put(out, "\nRun status group %d (all jobs):\n", rs.groupid);
  for (size_t d = 0; d < kFioDdirs; ++d) {
    if (rs.max_run[d] == 0) continue;
    put(out, "%s: bw=%s (%s), %s-%s (%s-%s), io=%s (%s), run=%llu-%llumsec\n", kNames[d],
        rate_str(rs.agg[d], true).c_str(), rate_str(rs.agg[d], false).c_str(),
        rate_str(rs.min_bw[d], true).c_str(), rate_str(rs.max_bw[d], true).c_str(),
        rate_str(rs.min_bw[d], false).c_str(), rate_str(rs.max_bw[d], false).c_str(),
        bytes_str(rs.io_bytes[d], true).c_str(), bytes_str(rs.io_bytes[d], false).c_str(),
        static_cast<ull>(rs.min_run[d]), static_cast<ull>(rs.max_run[d]));
  }
}

const FioDiskUtil& slave_disk(const FioRunResult& run, const FioDiskUtil& master,
                              const std::string& name) {
  for (const FioDiskUtil& d : run.disks) {
    if (d.name == name) return d;
  }
  std::fprintf(stderr, "fio_text: disk %s lists slave %s, which is not in the run's disks\n",
               master.name.c_str(), name.c_str());
  std::abort();
}

// print_disk_util with show_agg_stats.
void show_disk(std::string& out, const FioRunResult& run, const FioDiskUtil& d) {
  put(out, "%s  %s: ios=%llu/%llu, merge=%llu/%llu, ticks=%llu/%llu, in_queue=%llu, util=%3.2f%%",
      d.slaves.empty() ? "" : "  ", d.name.c_str(), static_cast<ull>(d.read_ios),
      static_cast<ull>(d.write_ios), static_cast<ull>(d.read_merges),
      static_cast<ull>(d.write_merges), static_cast<ull>(d.read_ticks),
      static_cast<ull>(d.write_ticks), static_cast<ull>(d.in_queue), std::min(d.util, 100.0));
  if (!d.slaves.empty()) {
    std::array<ull, 7> sum{};
    double max_util = 0.0;
    for (const std::string& name : d.slaves) {
      const FioDiskUtil& s = slave_disk(run, d, name);
      const std::array<uint64_t, 7> v = {s.read_ios,   s.write_ios,   s.read_merges, s.write_merges,
                                         s.read_ticks, s.write_ticks, s.in_queue};
      for (size_t i = 0; i < v.size(); ++i) sum[i] += v[i];
      max_util = std::max(max_util, s.util);
    }
    const ull n = d.slaves.size();
    put(out,
        ", aggrios=%llu/%llu, aggrmerge=%llu/%llu, aggrticks=%llu/%llu, "
        "aggrin_queue=%llu, aggrutil=%3.2f%%",
        sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n, sum[4] / n, sum[5] / n, sum[6] / n,
        std::min(max_util, 100.0));
  }
  out += "\n";
}

}  // namespace

std::string fio_text(const FioRunResult& run, const FioTextOptions& options) {
  std::string out;
  if (options.preamble) out += fio_preamble(run);
  const std::vector<FioJobResult> reported = fio_reported_jobs(run.jobs);
  const std::vector<FioGroupStats> groups = fio_group_stats(reported);
  const std::string time = fio_ctime(run.timestamp_ms / 1000);
  out += "\n";
  for (const FioJobResult& job : reported) {
    if (job.groupid < 0) continue;
    show_job(out, job, groups[static_cast<size_t>(job.groupid)], time);
  }
  for (const FioGroupStats& rs : groups) show_group(out, rs);
  if (!run.disks.empty()) {
    out += "\nDisk stats (read/write):\n";
    for (const FioDiskUtil& d : run.disks) show_disk(out, run, d);
  }
  return out;
}

std::string fio_num2str(uint64_t num, int maxlen, int base, bool pow2, FioUnit unit) {
  static constexpr std::array<const char*, 7> kSi = {"", "k", "M", "G", "T", "P", "E"};
  static constexpr std::array<const char*, 7> kIec = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  static constexpr std::array<const char*, 6> kUnits = {"", "/s", "B", "bit", "B/s", "bit/s"};
  const auto& prefix = pow2 ? kIec : kSi;
  const char* unit_str = kUnits[static_cast<size_t>(unit)];
  const uint64_t thousand = pow2 ? 1024 : 1000;
  size_t post = 0;
  for (; base > 1; ++post) base /= static_cast<int>(thousand);
  if (unit == FioUnit::kBit || unit == FioUnit::kBitPerSec) num *= 8;
  // Divide until the number fits in maxlen digits, remembering the last remainder.
  bool divided = false;
  uint64_t modulo = 0;
  bool carry = false;
  while (post < prefix.size() && std::to_string(num).size() > static_cast<size_t>(maxlen)) {
    modulo = num % thousand;
    num /= thousand;
    carry = modulo >= thousand / 2;
    divided = true;
    ++post;
  }
  if (post >= prefix.size()) post = 0;
  const int digits = static_cast<int>(std::to_string(num).size());
  if (divided && maxlen - digits > 1) {
    char frac[32];
    std::snprintf(frac, sizeof frac, "%.*f", maxlen - digits - 1,
                  static_cast<double>(modulo) / static_cast<double>(thousand));
    if (frac[0] == '1') ++num;
    return std::to_string(num) + "." + (frac + 2) + prefix[post] + unit_str;
  }
  if (divided && carry) ++num;
  return std::to_string(num) + prefix[post] + unit_str;
}

}  // namespace mdsim
