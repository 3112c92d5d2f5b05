// The bitmap-loop scenario: see bitmap_loop.h.
#include "bitmaps/bitmap_loop.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <memory>

#include "bitmaps/fixed_latency_io.h"
#include "bitmaps/registry.h"
#include "bitmaps/sim_sync.h"

namespace mdsim {

const std::vector<std::string>& bitmap_loop_patterns() {
  static const std::vector<std::string> p = {"rand", "seq", "same"};
  return p;
}

namespace {

enum class Pattern { kRand, kSeq, kSame };

struct Shared {
  Machine* m;
  BitmapLoopParams p;
  Pattern pattern;
  MddevView mddev;
  std::unique_ptr<BitmapOps> bitmap;
  std::unique_ptr<SimSyncDomain> domain;
  std::unique_ptr<FixedLatencyIo> io;
  Time end;
  int threads;
  KindId k_submit, k_complete, k_bitmap, k_sync, k_daemon;
  uint64_t writes = 0, in_flight = 0, daemon_passes = 0;
  LatencyHistogram start_lat, write_lat;
  // check_invariant: chunk -> data writes in flight, and whether the chunk has been seen dirty
  // on disk since the first of them went out.
  struct Armed {
    int writes = 0;
    bool seen_dirty = false;
  };
  std::map<uint64_t, Armed> armed;
  uint64_t checks = 0, violations = 0, cleared = 0;
  std::string first_violation, first_cleared;
};

// The chunks [off, off + bs) touches.
std::pair<uint64_t, uint64_t> chunk_span(const Shared& s, Sector off) {
  Sector cs = std::max<Sector>(s.p.chunk_bytes / 512, 1);
  return {off / cs, (off + s.p.bs_sectors - 1) / cs};
}

void arm(Shared& s, Sector off, int delta) {
  auto [a, b] = chunk_span(s, off);
  for (uint64_t c = a; c <= b; ++c) {
    if ((s.armed[c].writes += delta) == 0) s.armed.erase(c);
  }
}

// The write-intent invariant over every chunk with a data write in flight.
void check(Shared& s, const char* where) {
  ++s.checks;
  for (auto& [c, a] : s.armed) {
    if (s.bitmap->persisted_dirty(c)) {
      a.seen_dirty = true;
      continue;
    }
    std::string what = "at " + std::to_string(s.m->sim().now()) + " ns after " + where +
                       ": chunk " + std::to_string(c) + " is clean on disk with " +
                       std::to_string(a.writes) + " data write(s) in flight";
    if (s.violations++ == 0) s.first_violation = what;
    if (a.seen_dirty && s.cleared++ == 0) s.first_cleared = what + " (cleared after it was set)";
  }
}

// The sector thread `t`'s lane `lane` writes next.
struct Cursor {
  Sector next = 0, first = 0, limit = 0;
};

Sector next_offset(Shared& s, Cursor& c, Rng& rng) {
  const Sector bs = s.p.bs_sectors;
  const Sector blocks = std::max<Sector>(s.p.sync_size / bs, 1);
  switch (s.pattern) {
    case Pattern::kRand:
      return rng.below(blocks) * bs;
    case Pattern::kSeq: {
      Sector off = c.next;
      c.next += bs;
      if (c.next + bs > c.limit) c.next = c.first;
      return off;
    }
    case Pattern::kSame:
      break;
  }
  // Distinct blocks inside chunk 0, round-robin over the chunk.
  Sector off = c.next;
  c.next = (c.next + bs) % std::max<Sector>(s.p.chunk_bytes / 512, bs);
  return off;
}

Task<void> lane_body(Shared& s, Cpu& cpu, Cursor cur, Rng rng) {
  Simulator& sim = s.m->sim();
  while (sim.now() < s.end) {
    Time t0 = sim.now();
    co_await cpu.acquire(s.k_submit);
    co_await cpu.work(s.p.submit_ns, s.k_submit);
    Sector off = next_offset(s, cur, rng);
    WriteCookie cookie;
    Time ts = sim.now();
    {
      SimExecutor x(*s.domain, cpu, s.k_bitmap, s.k_sync);
      ++s.in_flight;
      co_await s.bitmap->startwrite_tracked(x, off, s.p.bs_sectors, cookie);
      co_await s.bitmap->unplug(x, *s.io, true);  // raid1_unplug -> md_bitmap_unplug
    }
    if (s.p.check_invariant) {
      arm(s, off, +1);  // the data write goes out now
      check(s, "unplug");
    }
    s.start_lat.add(sim.now() - ts);
    cpu.release();
    co_await sim.delay(s.p.io_ns);
    if (s.p.check_invariant) arm(s, off, -1);  // on the media: the bit may go now
    co_await cpu.acquire(s.k_complete, /*irq=*/true);
    co_await cpu.work(s.p.complete_ns, s.k_complete);
    {
      SimExecutor x(*s.domain, cpu, s.k_bitmap, s.k_sync);
      co_await s.bitmap->endwrite_tracked(x, off, s.p.bs_sectors, cookie);
    }
    cpu.release();
    --s.in_flight;
    ++s.writes;
    s.write_lat.add(sim.now() - t0);
  }
}

// md_check_recovery -> bitmap daemon_work every daemon_sleep, from the personality thread.
Task<void> daemon_body(Shared& s, Cpu& cpu) {
  Simulator& sim = s.m->sim();
  while (sim.now() + s.p.daemon_sleep_ns < s.end) {
    co_await sim.delay(s.p.daemon_sleep_ns);
    co_await cpu.acquire(s.k_daemon);
    SimExecutor x(*s.domain, cpu, s.k_daemon, s.k_sync);
    co_await s.bitmap->daemon_work(x, *s.io);
    ++s.daemon_passes;
    if (s.p.check_invariant) check(s, "daemon_work");
    cpu.release();
  }
}

Pattern pattern_of(const std::string& name) {
  const auto& names = bitmap_loop_patterns();
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    std::fprintf(stderr, "mdsim: internal error: unknown bitmap_loop pattern %s\n", name.c_str());
    std::abort();
  }
  return static_cast<Pattern>(it - names.begin());
}

}  // namespace

BitmapLoopResult run_bitmap_loop(Machine& m, const BitmapLoopParams& p, const RandomStreams& rs,
                                 const BitmapVariant* variant) {
  const BitmapVariant* v = variant ? variant : find_bitmap_variant(p.variant);
  if (v == nullptr) {
    std::fprintf(stderr, "mdsim: internal error: unknown bitmap variant %s\n", p.variant.c_str());
    std::abort();
  }
  auto s = std::make_unique<Shared>();
  s->m = &m;
  s->p = p;
  s->pattern = pattern_of(p.pattern);
  s->mddev.degraded = p.degraded;
  BitmapGeometry g;
  g.sync_size = p.sync_size;
  g.chunk_bytes = p.chunk_bytes;
  g.daemon_sleep = p.daemon_sleep_ns;
  s->bitmap = v->make(g, &s->mddev);
  s->domain = std::make_unique<SimSyncDomain>(m, s->bitmap->decls());
  if (p.check_invariant) {
    Shared* sp = s.get();
    s->bitmap->set_persist_observer([sp] { check(*sp, "a bitmap page write"); });
  }
  s->io = std::make_unique<FixedLatencyIo>(m.sim(), p.page_write_ns);
  s->end = m.sim().now() + p.duration_ns;
  s->k_submit = m.kind("md_submit");
  s->k_complete = m.kind("md_complete");
  s->k_bitmap = m.kind("bitmap");
  s->k_sync = m.kind("bitmap_sync");
  s->k_daemon = m.kind("bitmap_daemon");
  s->threads = p.threads > 0 ? p.threads : m.num_cpus();

  const Sector bs = p.bs_sectors;
  const Sector region = std::max<Sector>(p.sync_size / static_cast<Sector>(s->threads), bs);
  for (int t = 0; t < s->threads; ++t) {
    Cpu& cpu = m.cpu(t % m.num_cpus());
    for (int l = 0; l < p.iodepth; ++l) {
      Cursor c;
      if (s->pattern == Pattern::kSeq) {
        // Thread t owns region t; its lanes interleave block by block like one fio job
        // with iodepth l submitting sequentially.
        c.first = static_cast<Sector>(t) * region / bs * bs;
        c.limit = std::min<Sector>(c.first + region, p.sync_size);
        c.next = c.first + static_cast<Sector>(l) * bs;
      } else if (s->pattern == Pattern::kSame) {
        c.next = (static_cast<Sector>(t * p.iodepth + l) * bs) %
                 std::max<Sector>(p.chunk_bytes / 512, bs);
      }
      spawn(m.sim(), lane_body(*s, cpu, c, rs.stream("bitmap_loop.thread", t * p.iodepth + l)));
    }
  }
  if (p.daemon_sleep_ns > 0) spawn(m.sim(), daemon_body(*s, m.cpu(0)));

  BitmapLoopResult r;
  if (p.crash_at_ns > 0 && p.crash_at_ns < p.duration_ns) {
    m.sim().run_until(m.sim().now() + p.crash_at_ns);
    r.crashed = true;
  } else {
    m.sim().run();
  }
  r.end_ns = m.sim().now();
  r.threads = s->threads;
  r.writes = s->writes;
  r.in_flight_at_end = s->in_flight;
  Time span = r.crashed ? p.crash_at_ns : p.duration_ns;
  r.writes_per_sec = static_cast<double>(s->writes) / to_seconds(span);
  Time busy = 0, sync = 0, bitmap = 0;
  for (int i = 0; i < m.num_cpus(); ++i) {
    const Cpu& c = m.cpu(i);
    busy += c.busy_time();
    Time si = c.time_in(s->k_sync) + c.time_in(m.kind_spin());
    sync += si;
    bitmap += si + c.time_in(s->k_bitmap) + c.time_in(s->k_daemon);
  }
  if (busy > 0) {
    r.sync_share = static_cast<double>(sync) / static_cast<double>(busy);
    r.bitmap_share = static_cast<double>(bitmap) / static_cast<double>(busy);
  }
  r.cpu_ns_per_write = s->writes > 0 ? static_cast<double>(busy) / static_cast<double>(s->writes)
                                     : 0;
  r.daemon_passes = s->daemon_passes;
  r.invariant_checks = s->checks;
  r.invariant_violations = s->violations;
  r.first_violation = s->first_violation;
  r.invariant_cleared = s->cleared;
  r.first_cleared = s->first_cleared;
  r.page_writes = s->io->writes();
  r.startwrite_latency = s->start_lat;
  r.write_latency = s->write_lat;
  r.stats = s->bitmap->get_stats();
  r.image = s->bitmap->disk_image();
  // A crash: what was in flight vanishes (before the scenario state the frames point into).
  if (r.crashed) m.sim().halt();
  return r;
}

}  // namespace mdsim
