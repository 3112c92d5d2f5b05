// DiskSim "ascii" trace -> Trace: see disksim_trace.h.
#include "workloads/disksim_trace.h"

#include <charconv>
#include <cmath>
#include <istream>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace mdsim {

namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool parse_u64(std::string_view s, uint64_t* v, int base = 10) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v, base);
  return ec == std::errc() && p == s.data() + s.size();
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Milliseconds as DiskSim's "%lf" accepts them -> ns; false if malformed, negative or too big.
bool parse_ms(std::string_view s, Time* ns) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.find_first_of("eE") != std::string_view::npos) {
    double ms = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(ms) || ms < 0 ||
        ms > 9e12) {
      return false;
    }
    *ns = static_cast<Time>(ms * 1e6);
    return true;
  }
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || !all_digits(whole) || !all_digits(frac)) return false;
  uint64_t w = 0;
  if (!whole.empty() && (!parse_u64(whole, &w) || w > 9'000'000'000'000ULL)) return false;
  Time f = 0;
  for (size_t i = 0; i < 6; ++i) f = f * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  *ns = static_cast<Time>(w) * kMillisecond + f;
  return true;
}

}  // namespace

Trace parse_disksim(std::istream& in, const std::string& file, const DiskSimOptions& options) {
  if (options.block_size == 0) throw std::invalid_argument("DiskSim block size must be positive");
  Trace trace;
  trace.source = file;
  trace.timing = TraceTiming::kAbsolute;
  std::map<uint64_t, uint32_t> devices;  // device number -> file index
  const uint64_t bs = options.block_size;
  int line_no = 0;
  Time prev = 0;
  std::string prev_text;
  auto fail = [&](const std::string& msg) {
    throw TraceError(file + ":" + std::to_string(line_no) + ": " + msg);
  };
  std::string text;
  while (std::getline(in, text)) {
    ++line_no;
    std::vector<std::string_view> f = split_fields(text);
    if (f.empty()) continue;
    if (f.size() != 5) {
      fail("expected 5 fields \"ARRIVAL_MS DEVNO BLKNO SIZE FLAGS\", got " +
           std::to_string(f.size()));
    }
    TraceRecord r;
    if (!parse_ms(f[0], &r.t_ns)) {
      fail("bad arrival time \"" + std::string(f[0]) + "\" (expected non-negative milliseconds)");
    }
    if (!trace.records.empty() && r.t_ns < prev) {
      fail("arrival time " + std::string(f[0]) + " ms is before the previous request's " +
           prev_text + " ms (DiskSim traces must be in ascending time order)");
    }
    uint64_t dev = 0, blkno = 0, blocks = 0, flags = 0;
    if (!parse_u64(f[1], &dev) || dev > std::numeric_limits<uint32_t>::max()) {
      fail("bad device number \"" + std::string(f[1]) + "\"");
    }
    if (!parse_u64(f[2], &blkno)) fail("bad block number \"" + std::string(f[2]) + "\"");
    if (!parse_u64(f[3], &blocks)) fail("bad request size \"" + std::string(f[3]) + "\"");
    std::string_view hex = f[4];
    if (hex.size() > 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
    if (!parse_u64(hex, &flags, 16)) {
      fail("bad flags \"" + std::string(f[4]) + "\" (expected a hex number)");
    }
    if (blocks == 0) fail("request size 0");
    if (blkno > std::numeric_limits<uint64_t>::max() / bs) {
      fail("block number " + std::string(f[2]) + " out of range");
    }
    if (blocks > std::numeric_limits<uint32_t>::max() / bs) {
      fail("request size " + std::string(f[3]) + " blocks out of range (at most " +
           std::to_string(std::numeric_limits<uint32_t>::max() / bs) + ")");
    }
    auto [it, added] = devices.emplace(dev, static_cast<uint32_t>(trace.files.size()));
    if (added) trace.files.push_back("dev" + std::to_string(dev));
    r.file = it->second;
    r.op = (flags & 1) ? TraceOp::kRead : TraceOp::kWrite;
    r.offset = blkno * bs;
    r.length = static_cast<uint32_t>(blocks * bs);
    trace.records.push_back(r);
    prev = r.t_ns;
    prev_text = std::string(f[0]);
  }
  if (trace.records.empty()) throw TraceError(file + ": no requests in the DiskSim trace");
  return trace;
}

Trace parse_disksim(const std::string& text, const std::string& file,
                    const DiskSimOptions& options) {
  return parse_trace_text(text,
                          [&](std::istream& in) { return parse_disksim(in, file, options); });
}

Trace read_disksim(const std::string& path, const DiskSimOptions& options) {
  return read_trace_file(path, "DiskSim trace",
                         [&](std::istream& in) { return parse_disksim(in, path, options); });
}

}  // namespace mdsim
