// Parsing one fio option's value: see fio_option_value.h.
#include "workloads/fio_option_value.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace mdsim::fio_option_value {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

[[noreturn]] void bad(const FioOption& o, const std::string& msg) {
  throw FioJobError(o.where() + ": bad value for '" + o.name + "': " + msg);
}

std::string value_of(const FioOption& o) {
  std::string v(trim(o.value));
  if (!o.has_value || v.empty()) {
    throw FioJobError(o.where() + ": option '" + o.name + "' requires a value");
  }
  return v;
}

std::array<std::optional<std::string>, kFioOps> per_op(const FioOption& o) {
  std::string v = value_of(o);
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t comma = v.find(',', start);
    parts.emplace_back(trim(std::string_view(v).substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (parts.size() > 3) bad(o, "\"" + v + "\": more than three values (read,write,trim)");
  std::array<std::optional<std::string>, kFioOps> out;
  for (int d = 0; d < kFioOps; ++d) {
    const std::string& p = parts[std::min<size_t>(d, parts.size() - 1)];
    if (!p.empty()) out[d] = p;
  }
  return out;
}

bool flag(const FioOption& o, const FioJob& job) {
  if (!o.has_value) return true;
  return parsed(o, [&] { return parse_fio_int(value_of(o), 0, INT64_MAX, job.kb_base); }) != 0;
}

bool boolean(const FioOption& o) {
  return parsed(o, [&] { return parse_fio_bool(value_of(o)); });
}

int64_t integer(const FioOption& o, const FioJob& job, int64_t lo, int64_t hi) {
  return parsed(o, [&] { return parse_fio_int(value_of(o), lo, hi, job.kb_base); });
}

uint64_t size_value(const FioOption& o, const FioJob& job, std::string_view v, uint64_t lo) {
  uint64_t x = parsed(o, [&] { return parse_fio_size(v, job.kb_base); });
  if (x < lo) {
    std::string msg(1, '"');
    msg.append(v).append("\": must be at least ").append(std::to_string(lo));
    bad(o, msg);
  }
  return x;
}

Time time_value(const FioOption& o, std::string_view v, Time unit) {
  return parsed(o, [&] { return parse_fio_time(v, unit); });
}

FioSizeSpec size_spec(const FioOption& o, const FioJob& job, int min_percent) {
  std::string v = value_of(o);
  FioSizeSpec s;
  if (v.back() == '%') {
    s.percent = parsed(o, [&] { return parse_fio_percent(v); });
    if (s.percent < min_percent) bad(o, "\"" + v + "\": the percentage must be at least 1");
    s.set = true;
  } else {
    s.bytes = size_value(o, job, v, 0);
    s.set = s.bytes > 0;  // fio: 0 means "not given"
  }
  return s;
}

std::string choice(const FioOption& o, std::string_view list) {
  std::string v = value_of(o);
  std::string_view rest = list;
  while (!rest.empty()) {
    size_t bar = rest.find('|');
    if (rest.substr(0, bar) == v) return v;
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  std::string l(list);
  std::replace(l.begin(), l.end(), '|', ' ');
  bad(o, "\"" + v + "\": expected one of: " + l);
}

std::vector<int> cpu_list(const FioOption& o) {
  std::string v = value_of(o);
  std::vector<int> cpus;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    std::string part(trim(std::string_view(v).substr(start, comma - start)));
    size_t dash = part.find('-');
    auto num = [&](std::string_view s) {
      s = trim(s);
      if (s.empty() || !std::all_of(s.begin(), s.end(), ::isdigit) || s.size() > 5) {
        bad(o, "\"" + v + "\": expected CPU numbers and ranges such as 0-3,8,10-11");
      }
      return std::atoi(std::string(s).c_str());
    };
    int a = num(std::string_view(part).substr(0, dash));
    int b = dash == std::string::npos ? a : num(std::string_view(part).substr(dash + 1));
    if (b < a) bad(o, "\"" + v + "\": range " + part + " runs backwards");
    for (int c = a; c <= b; ++c) cpus.push_back(c);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

}  // namespace mdsim::fio_option_value
