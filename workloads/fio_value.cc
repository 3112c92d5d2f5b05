// fio value syntax: see fio_value.h.
#include "workloads/fio_value.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace mdsim {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad(std::string_view v, const std::string& what) {
  throw FioValueError("\"" + std::string(v) + "\": " + what);
}

// The leading number of `s` ([0x]digits); `rest` gets what follows.
uint64_t leading_number(std::string_view whole, std::string_view s, std::string_view* rest) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t n = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    int d;
    char c = s[i];
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c))) {
      d = std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    } else {
      break;
    }
    if (n > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / base) {
      bad(whole, "number too large");
    }
    n = n * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (i == 0) bad(whole, "expected a number");
  *rest = s.substr(i);
  return n;
}

// A decimal fraction ".5" at the start of `*rest` (fio accepts 1.5k = 1536): consumed, and
// returned as numerator/denominator.
std::pair<uint64_t, uint64_t> fraction(std::string_view whole, std::string_view* rest) {
  if (rest->empty() || (*rest)[0] != '.') return {0, 1};
  uint64_t num = 0, den = 1;
  size_t i = 1;
  for (; i < rest->size() && std::isdigit(static_cast<unsigned char>((*rest)[i])); ++i) {
    if (den >= 1000000000000ull) bad(whole, "too many decimals");
    num = num * 10 + static_cast<uint64_t>((*rest)[i] - '0');
    den *= 10;
  }
  if (i == 1) bad(whole, "expected digits after the decimal point");
  rest->remove_prefix(i);
  return {num, den};
}

uint64_t pow_u(uint64_t b, int e) {
  uint64_t r = 1;
  while (e-- > 0) r *= b;
  return r;
}

uint64_t checked_mul(std::string_view whole, uint64_t a, uint64_t b) {
  if (b != 0 && a > std::numeric_limits<uint64_t>::max() / b) bad(whole, "value too large");
  return a * b;
}

// The multiplier of a data-size suffix ("", "k", "kb", "ki", "kib", "b", ...).
uint64_t size_multiplier(std::string_view whole, std::string_view suffix, int kb_base) {
  std::string s = lower(suffix);
  if (!s.empty() && s.back() == 'b') s.pop_back();  // the optional byte unit
  if (s.empty()) return 1;
  static constexpr std::string_view kPrefixes = "kmgtp";
  size_t p = kPrefixes.find(s[0]);
  if (p == std::string_view::npos || s.size() > 2 || (s.size() == 2 && s[1] != 'i')) {
    bad(whole, "unknown unit \"" + std::string(suffix) + "\" (expected k, m, g, t, p with an "
               "optional i and b)");
  }
  bool i_form = s.size() == 2;
  // kb_base=1024: plain = 1024^n, "i" = 1000^n; kb_base=1000: the reverse.
  bool binary = (kb_base == 1024) != i_form;
  return pow_u(binary ? 1024 : 1000, static_cast<int>(p) + 1);
}

}  // namespace

uint64_t parse_fio_size(std::string_view v, int kb_base) {
  std::string_view s = trim(v);
  if (s.empty()) bad(v, "empty value");
  if (s[0] == '-') bad(v, "must not be negative");
  std::string_view rest;
  uint64_t n = leading_number(v, s, &rest);
  auto [num, den] = fraction(v, &rest);
  uint64_t mult = size_multiplier(v, trim(rest), kb_base);
  // n.frac * mult, rounded down (fio computes it in floating point and truncates).
  return checked_mul(v, n, mult) + static_cast<uint64_t>(static_cast<long double>(num) *
                                                         static_cast<long double>(mult) /
                                                         static_cast<long double>(den));
}

int64_t parse_fio_int(std::string_view v, int64_t lo, int64_t hi, int kb_base) {
  std::string_view s = trim(v);
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  uint64_t u = parse_fio_size(s, kb_base);
  if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) bad(v, "value too large");
  int64_t x = neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
  if (x < lo || x > hi) {
    bad(v, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return x;
}

Time parse_fio_time(std::string_view v, Time default_unit) {
  std::string_view s = trim(v);
  if (s.empty()) bad(v, "empty value");
  if (s[0] == '-') bad(v, "must not be negative");
  std::string_view rest;
  uint64_t n = leading_number(v, s, &rest);
  auto [num, den] = fraction(v, &rest);
  std::string u = lower(trim(rest));
  Time unit;
  if (u.empty()) {
    unit = default_unit;
  } else if (u == "d") {
    unit = 24 * 3600 * kSecond;
  } else if (u == "h") {
    unit = 3600 * kSecond;
  } else if (u == "m") {
    unit = 60 * kSecond;
  } else if (u == "s" || u == "sec") {
    unit = kSecond;
  } else if (u == "ms" || u == "msec") {
    unit = kMillisecond;
  } else if (u == "us" || u == "usec") {
    unit = kMicrosecond;
  } else {
    bad(v, "unknown time unit \"" + std::string(trim(rest)) +
               "\" (expected d, h, m, s, ms or us)");
  }
  uint64_t ns = checked_mul(v, n, static_cast<uint64_t>(unit)) +
                static_cast<uint64_t>(static_cast<long double>(num) * unit / den);
  if (ns > static_cast<uint64_t>(int64_t{1} << 62)) bad(v, "time too large");
  return static_cast<Time>(ns);
}

std::pair<uint64_t, uint64_t> parse_fio_size_range(std::string_view v, int kb_base) {
  std::string_view s = trim(v);
  size_t sep = s.find_first_of("-:");
  if (sep == std::string_view::npos) {
    uint64_t x = parse_fio_size(s, kb_base);
    return {x, x};
  }
  if (sep == 0) bad(v, "a range needs a lower bound (lo-hi or lo:hi)");
  uint64_t a = parse_fio_size(s.substr(0, sep), kb_base);
  uint64_t b = parse_fio_size(s.substr(sep + 1), kb_base);
  if (a > b) std::swap(a, b);
  return {a, b};
}

int parse_fio_percent(std::string_view v) {
  std::string_view s = trim(v);
  if (!s.empty() && s.back() == '%') s.remove_suffix(1);
  return static_cast<int>(parse_fio_int(s, 0, 100));
}

bool parse_fio_bool(std::string_view v) {
  std::string_view s = trim(v);
  if (s == "1") return true;
  if (s == "0") return false;
  bad(v, "expected 0 or 1");
}

}  // namespace mdsim
