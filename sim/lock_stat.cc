// lock_stat accounting and text output: see lock_stat.h. The layout reproduces
// kernel/locking/lockdep_proc.c (seq_header, seq_stats, seq_time; Linux 6.12).
#include "sim/lock_stat.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace mdsim {

void LockClass::contended(LockSide side, int cpu, std::string_view site) {
  if (last_cpu_ != cpu) ++sides_[static_cast<int>(side)].con_bounces;
  if (!site.empty()) {
    auto it = sites_.find(site);
    if (it == sites_.end()) it = sites_.emplace(std::string(site), 0).first;
    ++it->second;
  }
}

void LockClass::acquired(LockSide side, int cpu, Time wait) {
  LockSideStats& s = sides_[static_cast<int>(side)];
  if (wait >= 0) s.wait.add(wait);
  if (last_cpu_ != cpu) ++s.acq_bounces;
  last_cpu_ = cpu;
}

void LockClass::released(LockSide side, Time hold) { sides_[static_cast<int>(side)].hold.add(hold); }

std::vector<std::pair<std::string, uint64_t>> LockClass::top_sites(size_t n) const {
  std::vector<std::pair<std::string, uint64_t>> v(sites_.begin(), sites_.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

LockClass& LockStatRegistry::get(std::string_view name) {
  for (auto& c : classes_) {
    if (c->name() == name) return *c;
  }
  classes_.push_back(std::make_unique<LockClass>(std::string(name)));
  return *classes_.back();
}

std::vector<const LockClass*> LockStatRegistry::sorted() const {
  std::vector<const LockClass*> v;
  for (const auto& c : classes_) v.push_back(c.get());
  std::sort(v.begin(), v.end(), [](const LockClass* a, const LockClass* b) {
    if (a->contentions() != b->contentions()) return a->contentions() > b->contentions();
    return a->name() < b->name();
  });
  return v;
}

namespace {

constexpr int kLineWidth = 40 + 1 + 12 * (14 + 1);

// Microseconds with two decimals, rounded as the kernel's snprint_time does.
std::string usec(Time ns) {
  Time r = ns + 5;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRId64 ".%02d", r / 1000, static_cast<int>((r % 1000) / 10));
  char out[40];
  std::snprintf(out, sizeof out, " %14s", buf);
  return out;
}

std::string lock_time(const LockTime& t) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%14" PRIu64, t.nr);
  return buf + usec(t.min) + usec(t.max) + usec(t.total) + usec(t.avg());
}

std::string side_row(const std::string& label, const LockSideStats& s) {
  char head[64];
  std::snprintf(head, sizeof head, "%s%14" PRIu64 " ", label.c_str(), s.con_bounces);
  char mid[24];
  std::snprintf(mid, sizeof mid, " %14" PRIu64 " ", s.acq_bounces);
  return head + lock_time(s.wait) + mid + lock_time(s.hold) + "\n";
}

}  // namespace

std::string LockStatRegistry::to_text() const {
  std::string out = "lock_stat version 0.4\n";
  std::string dashes(kLineWidth, '-');
  out += dashes + "\n";
  char hdr[512];
  std::snprintf(hdr, sizeof hdr,
                "%40s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s\n",
                "class name", "con-bounces", "contentions", "waittime-min", "waittime-max",
                "waittime-total", "waittime-avg", "acq-bounces", "acquisitions", "holdtime-min",
                "holdtime-max", "holdtime-total", "holdtime-avg");
  out += hdr + dashes + "\n\n";
  for (const LockClass* c : sorted()) {
    const LockSideStats& w = c->side(LockSide::kWrite);
    const LockSideStats& r = c->side(LockSide::kRead);
    std::string name = c->name().substr(0, 37);
    char label[64];
    if (w.hold.nr) {
      if (r.hold.nr) {
        std::snprintf(label, sizeof label, "%38s-W:", name.c_str());
      } else {
        std::snprintf(label, sizeof label, "%40s:", name.c_str());
      }
      out += side_row(label, w);
    }
    if (r.hold.nr) {
      std::snprintf(label, sizeof label, "%38s-R:", name.c_str());
      out += side_row(label, r);
    }
    if (c->contentions() == 0) continue;
    auto sites = c->top_sites(4);
    if (sites.empty()) continue;
    size_t namelen = name.size() + (r.hold.nr ? 2 : 0);
    out += std::string(40 - std::min<size_t>(namelen, 40), ' ') + std::string(namelen, '-') + "\n";
    for (const auto& [site, count] : sites) {
      char row[256];
      std::snprintf(row, sizeof row, "%40s %14" PRIu64 " %29s %s\n", name.c_str(), count,
                    "[<0000000000000000>]", site.c_str());
      out += row;
    }
    out += "\n" + std::string(kLineWidth, '.') + "\n\n";
  }
  return out;
}

}  // namespace mdsim
