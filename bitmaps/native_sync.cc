// Native executor: see native_sync.h.
#include "bitmaps/native_sync.h"

#include <sched.h>

#include <cstdio>
#include <cstdlib>

namespace mdsim {

namespace {

inline void cpu_relax() { __builtin_ia32_pause(); }

void ticket_lock(std::atomic<uint32_t>& w) {
  uint32_t ticket = w.fetch_add(1u << 16, std::memory_order_relaxed) >> 16;
  while ((w.load(std::memory_order_acquire) & 0xffff) != (ticket & 0xffff)) cpu_relax();
}
void ticket_unlock(std::atomic<uint32_t>& w) {
  // Increment the owner half without carrying into the ticket half.
  uint32_t cur = w.load(std::memory_order_relaxed);
  for (;;) {
    uint32_t next = (cur & 0xffff0000u) | ((cur + 1) & 0xffffu);
    if (w.compare_exchange_weak(cur, next, std::memory_order_release)) return;
  }
}

constexpr uint32_t kWriter = 1u << 31;

void read_lock(std::atomic<uint32_t>& w) {
  for (;;) {
    uint32_t v = w.load(std::memory_order_relaxed);
    if (!(v & kWriter) && w.compare_exchange_weak(v, v + 1, std::memory_order_acquire)) return;
    cpu_relax();
  }
}
void read_unlock(std::atomic<uint32_t>& w) { w.fetch_sub(1, std::memory_order_release); }
void write_lock(std::atomic<uint32_t>& w) {
  for (;;) {
    uint32_t v = 0;
    if (w.compare_exchange_weak(v, kWriter, std::memory_order_acquire)) return;
    cpu_relax();
  }
}
void write_unlock(std::atomic<uint32_t>& w) { w.store(0, std::memory_order_release); }

[[noreturn]] void bad(const char* what) {
  std::fprintf(stderr, "mdsim: internal error: native executor: %s\n", what);
  std::abort();
}

}  // namespace

NativeSyncDomain::NativeSyncDomain(const SyncDecls& decls, int max_threads)
    : decls_(&decls), max_threads_(max_threads) {
  for (const LockDecl& l : decls.locks()) {
    int per = std::max(1, std::min(16, l.per_cache_line));
    size_t nlines = static_cast<size_t>((l.count + per - 1) / per);
    lock_lines_.push_back(std::make_unique<Line[]>(nlines));
    per_line_.push_back(per);
  }
  for (const LineDecl& l : decls.lines()) {
    lines_.push_back(std::make_unique<Line[]>(static_cast<size_t>(l.count)));
  }
  for (const RefDecl& r : decls.refs()) {
    std::vector<std::unique_ptr<Ref>> v;
    for (int i = 0; i < r.count; ++i) {
      auto ref = std::make_unique<Ref>();
      ref->per_thread = std::make_unique<Line[]>(static_cast<size_t>(max_threads));
      v.push_back(std::move(ref));
    }
    refs_.push_back(std::move(v));
  }
}

NativeSyncDomain::~NativeSyncDomain() = default;

std::atomic<uint32_t>& NativeSyncDomain::lock_word(LockId id, int index) {
  int per = per_line_[static_cast<size_t>(id)];
  // 16 words of 4 bytes per line: `per` locks spread over the line's words.
  return lock_lines_[static_cast<size_t>(id)][static_cast<size_t>(index / per)]
      .words[static_cast<size_t>((index % per) * (16 / per))];
}

std::atomic<uint32_t>& NativeSyncDomain::line_word(LineId id, int index) {
  return lines_[static_cast<size_t>(id)][static_cast<size_t>(index)].words[0];
}

NativeSyncDomain::Ref& NativeSyncDomain::ref(RefId id, int index) {
  return *refs_[static_cast<size_t>(id)][static_cast<size_t>(index)];
}

bool NativeExecutor::run_inline(SyncStep& s) {
  switch (s.kind) {
    case SyncStep::kCritical: {
      auto& w = d_->lock_word(s.id, s.index);
      const LockDecl& decl = d_->decls().locks()[static_cast<size_t>(s.id)];
      if (decl.kind == LockKind::kSpinlock) {
        ticket_lock(w);
        s.apply();
        ticket_unlock(w);
      } else if (s.access == Access::kShared) {
        read_lock(w);
        s.apply();
        read_unlock(w);
      } else {
        write_lock(w);
        s.apply();
        write_unlock(w);
      }
      return true;
    }
    case SyncStep::kAtomic: {
      auto& w = d_->line_word(s.id, s.index);
      ticket_lock(w);
      s.apply();
      ticket_unlock(w);
      return true;
    }
    case SyncStep::kCompute:
      if (s.apply) s.apply();
      return true;
    case SyncStep::kRefTryGet: {
      auto& r = d_->ref(s.id, s.index);
      auto& c = r.per_thread[static_cast<size_t>(thread_)].words[0];
      c.fetch_add(1, std::memory_order_acquire);
      if (r.dead.load(std::memory_order_acquire)) {
        c.fetch_sub(1, std::memory_order_release);
        s.result = false;
      } else {
        s.result = true;
      }
      return true;
    }
    case SyncStep::kRefPut:
      d_->ref(s.id, s.index)
          .per_thread[static_cast<size_t>(thread_)]
          .words[0]
          .fetch_sub(1, std::memory_order_release);
      return true;
    case SyncStep::kRefKill: {
      auto& r = d_->ref(s.id, s.index);
      r.dead.store(true, std::memory_order_seq_cst);
      for (;;) {  // wait for the sum of per-thread counts to drain
        uint32_t sum = 0;
        for (int t = 0; t < d_->max_threads(); ++t) {
          sum += r.per_thread[static_cast<size_t>(t)].words[0].load(std::memory_order_acquire);
        }
        if (sum == 0) break;
        sched_yield();
      }
      return true;
    }
    case SyncStep::kRefResurrect:
      d_->ref(s.id, s.index).dead.store(false, std::memory_order_release);
      return true;
    case SyncStep::kWait:
      while (!s.condition()) sched_yield();
      return true;
    case SyncStep::kWake:
      return true;  // waiters poll their condition
  }
  return true;
}

Task<void> NativeExecutor::run(SyncStep&) {
  bad("run() called; native steps complete inline");
  co_return;
}

}  // namespace mdsim
