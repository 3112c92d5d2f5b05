// Lookups over the option table (fio_option_table.cc) and the generic value checks for options
// mdsim accepts without simulating them. See fio_options.h.
#include "workloads/fio_options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <vector>

#include "workloads/fio_value.h"

namespace mdsim {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Whether `word` is one of the '|'-separated `list`.
bool in_list(std::string_view list, std::string_view word) {
  while (!list.empty()) {
    size_t bar = list.find('|');
    if (list.substr(0, bar) == word) return true;
    if (bar == std::string_view::npos) break;
    list.remove_prefix(bar + 1);
  }
  return false;
}

const std::map<std::string_view, const FioOptionSpec*>& index() {
  static const auto* idx = [] {
    auto* m = new std::map<std::string_view, const FioOptionSpec*>;
    for (const FioOptionSpec& s : fio_option_table()) {
      (*m)[s.name] = &s;
      if (!s.alias.empty()) (*m)[s.alias] = &s;
    }
    return m;
  }();
  return *idx;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

void check_float(std::string_view whole, std::string_view part) {
  std::string s(trim(part));
  char* end = nullptr;
  if (s.empty()) throw FioValueError("\"" + std::string(whole) + "\": empty number in the list");
  std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) {
    throw FioValueError("\"" + std::string(whole) + "\": \"" + s + "\" is not a number");
  }
}

}  // namespace

const FioOptionSpec* find_fio_option(std::string_view name) {
  auto it = index().find(name);
  return it == index().end() ? nullptr : it->second;
}

std::string suggest_fio_option(std::string_view name) {
  // Close enough to be a typo: at most a third of the name's letters differ (at least 1).
  size_t limit = std::max<size_t>(1, name.size() / 3);
  std::string best;
  size_t best_d = limit + 1;
  for (const auto& [n, spec] : index()) {
    if (!spec->engines.empty()) continue;
    size_t d = edit_distance(name, n);
    if (d < best_d) {
      best_d = d;
      best = std::string(n);
    }
  }
  return best;
}

bool fio_value_is_neutral(const FioOptionSpec& spec, std::string_view value) {
  return !spec.neutral.empty() && in_list(spec.neutral, trim(value));
}

bool fio_option_fits_engine(const FioOptionSpec& spec, std::string_view engine) {
  return spec.engines.empty() || in_list(spec.engines, engine);
}

void check_fio_value(const FioOptionSpec& spec, bool has_value, std::string_view value,
                     int kb_base) {
  std::string_view v = trim(value);
  if (!has_value) {
    if (spec.kind == FioValueKind::kFlag) return;
    throw FioValueError("a value is required");
  }
  switch (spec.kind) {
    case FioValueKind::kFlag:
      parse_fio_int(v, 0, INT64_MAX, kb_base);
      return;
    case FioValueKind::kBool:
      parse_fio_bool(v);
      return;
    case FioValueKind::kInt:
      parse_fio_int(v, INT64_MIN / 2, INT64_MAX, kb_base);
      return;
    case FioValueKind::kSize:
      if (!v.empty() && v.back() == '%') {
        parse_fio_percent(v);
      } else {
        parse_fio_size(v, kb_base);
      }
      return;
    case FioValueKind::kTime:
      parse_fio_time(v, kSecond);
      return;
    case FioValueKind::kString:
      if (v.empty()) throw FioValueError("a value is required");
      return;
    case FioValueKind::kChoice: {
      std::string_view word = v.substr(0, v.find(':'));
      if (!in_list(spec.choices, word)) {
        std::string list(spec.choices);
        std::replace(list.begin(), list.end(), '|', ' ');
        throw FioValueError("\"" + std::string(v) + "\": expected one of: " + list);
      }
      return;
    }
    case FioValueKind::kFloatList: {
      std::string_view rest = v;
      while (true) {
        size_t colon = rest.find(':');
        check_float(v, rest.substr(0, colon));
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
      }
      return;
    }
  }
}

bool fio_engine_is_sync(std::string_view engine) {
  return in_list("sync|psync|vsync|pvsync|pvsync2", engine);
}

bool fio_engine_is_simulated(std::string_view engine) {
  return fio_engine_is_sync(engine) || in_list("libaio|io_uring|posixaio", engine);
}

bool fio_engine_is_known(std::string_view engine) {
  return in_list(find_fio_option("ioengine")->choices, engine.substr(0, engine.find(':')));
}

}  // namespace mdsim
