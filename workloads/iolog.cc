// fio iolog v2/v3 reader and v3 writer: see iolog.h.
#include "workloads/iolog.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <map>
#include <string_view>
#include <vector>

namespace mdsim {

namespace {

constexpr std::string_view kHeaderV2 = "fio version 2 iolog";
constexpr std::string_view kHeaderV3 = "fio version 3 iolog";

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

struct Reader {
  explicit Reader(const std::string& f) : file(f) {}
  const std::string& file;
  int version = 0;
  int line_no = 0;
  Trace trace;
  std::map<std::string, uint32_t, std::less<>> index;  // file name -> file index
  std::vector<bool> open;
  bool first_line = true;
  uint64_t prev_usec = 0;  // v3: previous line's timestamp
  Time clock = 0;          // v3: time since the first line; v2: the latest wait

  [[noreturn]] void fail(const std::string& msg) const {
    throw TraceError(file + ":" + std::to_string(line_no) + ": " + msg);
  }

  uint64_t number(std::string_view s, const char* what, uint64_t max) const {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec == std::errc::invalid_argument || p != s.data() + s.size()) {
      fail(std::string("bad ") + what + " \"" + std::string(s) + "\" (expected a decimal number)");
    }
    if (ec == std::errc::result_out_of_range || v > max) {
      fail(std::string(what) + " " + std::string(s) + " out of range (at most " +
           std::to_string(max) + ")");
    }
    return v;
  }

  void header(std::string_view line) {
    line = trim_right(line);
    if (line == kHeaderV2) {
      version = 2;
      trace.timing = TraceTiming::kAbsolute;
    } else if (line == kHeaderV3) {
      version = 3;
      trace.timing = TraceTiming::kGaps;
    } else {
      fail(
          "not a fio iolog: the first line must be \"fio version 2 iolog\" or "
          "\"fio version 3 iolog\" (version 1 logs are no longer supported by fio)");
    }
  }

  void file_action(std::string_view name, std::string_view act) {
    auto it = index.find(name);
    if (act == "add") {
      if (it != index.end()) fail("file " + std::string(name) + " added twice");
      uint32_t idx = static_cast<uint32_t>(trace.files.size());
      trace.files.emplace_back(name);
      index.emplace(std::string(name), idx);
      open.push_back(false);
      return;
    }
    if (it == index.end()) {
      fail(std::string(act) + " of file " + std::string(name) + ", which was never added");
    }
    if (act == "open") {
      if (open[it->second]) fail("open of file " + std::string(name) + ", which is already open");
      open[it->second] = true;
    } else {
      if (!open[it->second]) fail("close of file " + std::string(name) + ", which is not open");
      open[it->second] = false;
    }
  }

  void io_action(std::string_view name, std::string_view act, std::string_view off_s,
                 std::string_view len_s) {
    uint64_t offset = number(off_s, "offset", std::numeric_limits<uint64_t>::max());
    uint64_t length = number(len_s, "length", std::numeric_limits<uint32_t>::max());
    if (act == "wait") {
      // fio 3.33: sleep until `offset` ms after fio started (see iolog.h).
      if (offset > static_cast<uint64_t>(kTimeMax / kMillisecond)) fail("wait time too large");
      clock = std::max(clock, static_cast<Time>(offset) * kMillisecond);
      return;
    }
    TraceRecord r;
    if (act == "read") {
      r.op = TraceOp::kRead;
    } else if (act == "write") {
      r.op = TraceOp::kWrite;
    } else if (act == "trim") {
      r.op = TraceOp::kTrim;
    } else if (act == "sync") {
      r.op = TraceOp::kSync;
    } else {
      r.op = TraceOp::kSync;
      r.flags = kTraceDatasync;
    }
    if (length == 0 && r.op != TraceOp::kSync) fail("zero-length " + std::string(act));
    auto it = index.find(name);
    if (it == index.end()) {
      fail(std::string(act) + " on file " + std::string(name) + ", which was never added");
    }
    if (!open[it->second]) {
      fail(std::string(act) + " on file " + std::string(name) + ", which is not open");
    }
    r.t_ns = clock;
    r.file = it->second;
    r.offset = offset;
    r.length = static_cast<uint32_t>(length);
    trace.records.push_back(r);
  }

  void line(std::string_view text) {
    std::vector<std::string_view> f = split_fields(trim_right(text));
    if (f.empty()) return;
    if (f.size() == 4 && f[0] == "fio" && f[1] == "version" && f[3] == "iolog") {
      fail(
          "a second iolog header (fio appends to an existing write_iolog file; were two runs "
          "logged to the same file?)");
    }
    if (version == 3) {
      uint64_t usec = number(f[0], "timestamp", static_cast<uint64_t>(kTimeMax / 1000));
      if (!first_line && usec > prev_usec) clock += static_cast<Time>(usec - prev_usec) * 1000;
      first_line = false;
      prev_usec = usec;
      f.erase(f.begin());
    }
    const char* form =
        version == 3 ? "\"USEC FILE ACTION [OFFSET LENGTH]\"" : "\"FILE ACTION [OFFSET LENGTH]\"";
    if (f.size() != 2 && f.size() != 4) {
      fail("expected " + std::string(form) + ", got " + std::to_string(f.size()) +
           (version == 3 ? " fields after the timestamp" : " fields"));
    }
    std::string_view act = f[1];
    bool is_file_act = act == "add" || act == "open" || act == "close";
    bool is_io_act = act == "read" || act == "write" || act == "trim" || act == "sync" ||
                     act == "datasync" || act == "wait";
    if (!is_file_act && !is_io_act) {
      fail("unknown action \"" + std::string(act) +
           "\" (expected add, open, close, read, write, trim, sync, datasync or wait)");
    }
    if (act == "wait" && version == 3) {
      fail("wait is not allowed in a version 3 iolog (its timestamps give the timing)");
    }
    if (is_file_act && f.size() != 2) {
      fail(std::string(act) + " takes no offset and length");
    }
    if (is_io_act && f.size() != 4) fail(std::string(act) + " needs an offset and a length");
    if (is_file_act) {
      file_action(f[0], act);
    } else {
      io_action(f[0], act, f[2], f[3]);
    }
  }
};

}  // namespace

Trace parse_iolog(std::istream& in, const std::string& file) {
  Reader r(file);
  r.trace.source = file;
  std::string text;
  while (std::getline(in, text)) {
    ++r.line_no;
    if (r.line_no == 1) {
      r.header(text);
    } else {
      r.line(text);
    }
  }
  if (r.line_no == 0) throw TraceError(file + ": empty file, not a fio iolog");
  if (r.trace.records.empty()) throw TraceError(file + ": the iolog holds no I/O");
  return std::move(r.trace);
}

Trace parse_iolog(const std::string& text, const std::string& file) {
  return parse_trace_text(text, [&](std::istream& in) { return parse_iolog(in, file); });
}

Trace read_iolog(const std::string& path) {
  return read_trace_file(path, "iolog", [&](std::istream& in) { return parse_iolog(in, path); });
}

void write_iolog(std::ostream& out, const Trace& trace) {
  for (const std::string& name : trace.files) {
    bool bad = name.empty() || std::any_of(name.begin(), name.end(), [](char c) {
                 return std::isspace(static_cast<unsigned char>(c)) != 0;
               });
    if (bad) throw TraceError("cannot write file name \"" + name + "\" to an iolog");
  }
  out << kHeaderV3 << '\n';
  for (const std::string& name : trace.files) out << "0 " << name << " add\n";
  for (const std::string& name : trace.files) out << "0 " << name << " open\n";
  Time last = 0;  // records must not go back in time, nor before 0
  for (const TraceRecord& r : trace.records) {
    if (r.file >= trace.files.size()) {
      throw TraceError("record for file index " + std::to_string(r.file) + " but the trace has " +
                       std::to_string(trace.files.size()) + " files");
    }
    if (r.t_ns < last) {
      throw TraceError("records out of time order (" + std::to_string(r.t_ns) + " ns after " +
                       std::to_string(last) + " ns)");
    }
    const char* act =
        (r.op == TraceOp::kSync && (r.flags & kTraceDatasync)) ? "datasync" : trace_op_name(r.op);
    out << r.t_ns / 1000 << ' ' << trace.files[r.file] << ' ' << act << ' ' << r.offset << ' '
        << r.length << '\n';
    last = r.t_ns;
  }
  for (const std::string& name : trace.files) out << last / 1000 << ' ' << name << " close\n";
}

void write_iolog(const std::string& path, const Trace& trace) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw TraceError(path + ": cannot create iolog");
  write_iolog(out, trace);
  out.flush();
  if (!out) throw TraceError(path + ": error writing iolog");
}

}  // namespace mdsim
