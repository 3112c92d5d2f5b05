// The native executor for declared synchronisation (see sync.h): the same state changes under
// real locks on real threads, so Google Benchmark measures a variant's real cost and real
// contention on the host (and those numbers calibrate the machine profile's costs).
//
// Locks are ticket spinlocks (FIFO like qspinlock) and a reader-writer spinlock, laid out
// per_cache_line to a 64-byte line as declared, so false sharing is real. An atomic step runs
// under a per-line lock (one line transfer, as the RMW it stands for). Per-CPU refcounts are
// per-thread counters on their own lines. Waits spin with yield.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "bitmaps/sync.h"

namespace mdsim {

class NativeSyncDomain {
 public:
  NativeSyncDomain(const SyncDecls& decls, int max_threads);
  NativeSyncDomain(const NativeSyncDomain&) = delete;
  NativeSyncDomain& operator=(const NativeSyncDomain&) = delete;
  ~NativeSyncDomain();

  struct alignas(64) Line {
    std::atomic<uint32_t> words[16];
  };
  struct Ref {
    std::unique_ptr<Line[]> per_thread;  // word 0 of each: that thread's count
    std::atomic<bool> dead{false};
  };

  // Ticket lock: word = next (high 16) | owner (low 16). rwlock: bit 31 writer, low: readers.
  std::atomic<uint32_t>& lock_word(LockId id, int index);
  std::atomic<uint32_t>& line_word(LineId id, int index);
  Ref& ref(RefId id, int index);
  const SyncDecls& decls() const { return *decls_; }
  int max_threads() const { return max_threads_; }

 private:
  const SyncDecls* decls_;
  int max_threads_;
  std::vector<std::unique_ptr<Line[]>> lock_lines_;
  std::vector<int> per_line_;
  std::vector<std::unique_ptr<Line[]>> lines_;
  std::vector<std::vector<std::unique_ptr<Ref>>> refs_;
};

// One per thread: `thread` indexes the per-thread refcount slots (< max_threads).
class NativeExecutor : public SyncExecutor {
 public:
  NativeExecutor(NativeSyncDomain& d, int thread) : d_(&d), thread_(thread) {}
  bool run_inline(SyncStep& s) override;
  Task<void> run(SyncStep& s) override;

 private:
  NativeSyncDomain* d_;
  int thread_;
};

}  // namespace mdsim
