// blkparse default text output -> Trace: see blkparse_trace.h.
#include "workloads/blkparse_trace.h"

#include <algorithm>
#include <charconv>
#include <istream>
#include <limits>
#include <map>
#include <string_view>
#include <vector>

namespace mdsim {

namespace {

constexpr uint64_t kSectorBytes = 512;

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

bool parse_u64(std::string_view s, uint64_t* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

// "MAJOR,MINOR"
bool is_device(std::string_view s) {
  size_t comma = s.find(',');
  uint64_t v;
  return comma != std::string_view::npos && parse_u64(s.substr(0, comma), &v) &&
         parse_u64(s.substr(comma + 1), &v);
}

struct Event {
  Time abs_ns;
  TraceRecord rec;
};

struct Parser {
  const std::string& file;
  BlkparseOptions options;
  int line_no = 0;
  std::vector<Event> events;
  std::vector<std::string> files;
  std::map<std::string, uint32_t, std::less<>> file_index;

  Parser(const std::string& f, const BlkparseOptions& o) : file(f), options(o) {}

  [[noreturn]] void fail(const std::string& msg) const {
    throw TraceError(file + ":" + std::to_string(line_no) + ": " + msg);
  }

  // SECONDS.NANOS with 1 to 9 fraction digits.
  Time timestamp(std::string_view s) const {
    size_t dot = s.find('.');
    uint64_t sec = 0, frac = 0;
    bool ok = dot != std::string_view::npos && parse_u64(s.substr(0, dot), &sec) &&
              dot + 1 < s.size() && s.size() - dot - 1 <= 9 &&
              parse_u64(s.substr(dot + 1), &frac) &&
              sec <= static_cast<uint64_t>(kTimeMax / kSecond) - 1;
    if (!ok) fail("bad timestamp \"" + std::string(s) + "\" (expected SECONDS.NANOSECONDS)");
    for (size_t digits = s.size() - dot - 1; digits < 9; ++digits) frac *= 10;
    return static_cast<Time>(sec) * kSecond + static_cast<Time>(frac);
  }

  // RWBS -> op and flags; `has_data` says whether the event has a sector and a size > 0.
  void rwbs(std::string_view s, bool has_data, TraceRecord* r) const {
    auto bad = [&](const std::string& why) { fail("bad RWBS \"" + std::string(s) + "\": " + why); };
    size_t i = 0;
    uint8_t flags = 0;
    if (s.size() >= 2 && s[0] == 'F') {
      flags |= kTracePreflush;
      i = 1;
    }
    if (i >= s.size()) bad("no operation letter");
    char op = s[i++];
    for (; i < s.size(); ++i) {
      switch (s[i]) {
        case 'F':
          flags |= kTraceFua;
          break;
        case 'A':
          flags |= kTraceReadahead;
          break;
        case 'S':
          flags |= kTraceSync;
          break;
        case 'M':
          flags |= kTraceMeta;
          break;
        default:
          bad(std::string("unknown flag '") + s[i] + "'");
      }
    }
    r->flags = flags;
    bool flush = (flags & kTracePreflush) != 0;
    switch (op) {
      case 'R':
        r->op = TraceOp::kRead;
        break;
      case 'W':
        r->op = TraceOp::kWrite;
        break;
      case 'D':
        r->op = TraceOp::kTrim;
        break;
      case 'N':
        if (!flush) bad("N (no data) without a flush");
        r->op = TraceOp::kSync;
        break;
      default:
        bad(std::string("unknown operation '") + op + "' (expected R, W, D or N)");
    }
    if (!has_data) {
      if (!flush)
        fail("a " + std::string(trace_op_name(r->op)) + " event of size 0 (\"" + std::string(s) +
             "\") that is not a flush");
      r->op = TraceOp::kSync;
    } else if (op == 'N') {
      bad("N (no data) with a sector and size");
    }
  }

  uint32_t device(std::string_view dev) {
    auto it = file_index.find(dev);
    if (it != file_index.end()) return it->second;
    uint32_t idx = static_cast<uint32_t>(files.size());
    files.emplace_back(dev);
    file_index.emplace(std::string(dev), idx);
    return idx;
  }

  void line(std::string_view text) {
    std::vector<std::string_view> f = split_fields(text);
    if (f.empty() || !is_device(f[0])) return;  // summary and other non-event lines
    if (f.size() < 7) {
      fail("truncated event line (expected DEV CPU SEQ SECONDS.NANOS PID ACTION RWBS ...)");
    }
    uint64_t v;
    if (!parse_u64(f[1], &v)) fail("bad CPU \"" + std::string(f[1]) + "\"");
    if (!parse_u64(f[2], &v)) fail("bad sequence number \"" + std::string(f[2]) + "\"");
    Time t = timestamp(f[3]);
    if (!parse_u64(f[4], &v)) fail("bad PID \"" + std::string(f[4]) + "\"");
    if (f[5].size() != 1 || f[5][0] != static_cast<char>(options.event)) return;
    Event e{t, {}};
    bool has_data = false;
    if (f.size() < 8) fail("event without a sector or process name");
    if (f[7].front() == '[') {
      // Size 0: blkparse prints only the process name.
    } else {
      uint64_t sector = 0, count = 0;
      if (!parse_u64(f[7], &sector)) fail("bad sector \"" + std::string(f[7]) + "\"");
      if (f.size() >= 9 && (f[8].front() == '(' || f[8].front() == '[')) {
        return;  // SCSI passthrough: "BYTES (CDB) [PROCESS]", no block I/O
      }
      if (f.size() < 10 || f[8] != "+") fail("expected \"SECTOR + COUNT\" after the RWBS field");
      if (!parse_u64(f[9], &count)) fail("bad sector count \"" + std::string(f[9]) + "\"");
      if (f.size() < 11 || (f[10].front() != '[' && f[10].front() != '(')) {
        fail("expected \"[PROCESS]\" after \"SECTOR + COUNT\"");
      }
      if (sector > std::numeric_limits<uint64_t>::max() / kSectorBytes) {
        fail("sector " + std::to_string(sector) + " out of range");
      }
      if (count > std::numeric_limits<uint32_t>::max() / kSectorBytes) {
        fail("sector count " + std::to_string(count) + " out of range (at most " +
             std::to_string(std::numeric_limits<uint32_t>::max() / kSectorBytes) + ")");
      }
      has_data = count > 0;
      e.rec.offset = sector * kSectorBytes;
      e.rec.length = static_cast<uint32_t>(count * kSectorBytes);
    }
    rwbs(f[6], has_data, &e.rec);
    if (!has_data) e.rec.length = 0;
    e.rec.file = device(f[0]);
    events.push_back(e);
  }
};

}  // namespace

Trace parse_blkparse(std::istream& in, const std::string& file, const BlkparseOptions& options) {
  Parser p(file, options);
  std::string text;
  while (std::getline(in, text)) {
    ++p.line_no;
    p.line(text);
  }
  if (p.events.empty()) {
    throw TraceError(file + ": no " + std::string(1, static_cast<char>(options.event)) +
                     " events (is this blkparse's default text output?)");
  }
  std::stable_sort(p.events.begin(), p.events.end(),
                   [](const Event& a, const Event& b) { return a.abs_ns < b.abs_ns; });
  Trace trace;
  trace.source = file;
  trace.timing = TraceTiming::kGaps;
  trace.files = std::move(p.files);
  trace.records.reserve(p.events.size());
  Time origin = p.events.front().abs_ns;
  for (Event& e : p.events) {
    e.rec.t_ns = e.abs_ns - origin;
    trace.records.push_back(e.rec);
  }
  return trace;
}

Trace parse_blkparse(const std::string& text, const std::string& file,
                     const BlkparseOptions& options) {
  return parse_trace_text(text,
                          [&](std::istream& in) { return parse_blkparse(in, file, options); });
}

Trace read_blkparse(const std::string& path, const BlkparseOptions& options) {
  return read_trace_file(path, "blkparse output",
                         [&](std::istream& in) { return parse_blkparse(in, path, options); });
}

}  // namespace mdsim
