// Every registered bitmap variant on real threads (native executor): start_write + end_write
// pairs per second, for sequential, random and same-chunk write patterns, 1..N host threads.
// Run: build/bitmaps/bitmaps_benchmarks --benchmark_format=json  (run_bench.py can read it)
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bitmaps/native_sync.h"
#include "bitmaps/registry.h"
#include "sim/random.h"

namespace mdsim {
namespace {

enum class Pattern { kSequential, kRandom, kSameChunk };

constexpr int kMaxThreads = 64;

struct Shared {
  MddevView mddev;
  std::unique_ptr<BitmapOps> bitmap;
  std::unique_ptr<NativeSyncDomain> domain;
};


BitmapGeometry geometry() {
  BitmapGeometry g;
  g.sync_size = Sector{1} << 31;  // 1 TiB per device
  g.chunk_bytes = 64 << 20;
  return g;
}

void drive(Task<void> t) {
  auto h = t.handle();
  h.resume();  // native steps complete inline
  if (!t.done()) std::abort();
}

// One bitmap per benchmark, built at registration and shared by its threads; start/end pairs
// leave every counter as they found it, so repeated runs see the same steady state.
void run_pattern(benchmark::State& state, Shared& s, Pattern p) {
  NativeExecutor x(*s.domain, state.thread_index());
  Rng rng(static_cast<uint64_t>(state.thread_index()) + 1);
  const Sector span = geometry().sync_size - 8;
  Sector next = static_cast<Sector>(state.thread_index()) * (span / kMaxThreads);
  for (auto _ : state) {
    Sector off = 0;
    switch (p) {
      case Pattern::kSequential:
        off = next;
        next = (next + 8) % span;  // 4 KiB writes, each thread its own stream
        break;
      case Pattern::kRandom:
        off = rng.below(span / 8) * 8;
        break;
      case Pattern::kSameChunk:
        off = 8 * static_cast<Sector>(state.thread_index());
        break;
    }
    WriteCookie cookie;
    drive(s.bitmap->startwrite_tracked(x, off, 8, cookie));
    drive(s.bitmap->endwrite_tracked(x, off, 8, cookie));
  }
  state.SetItemsProcessed(state.iterations());
}

struct Registrar {
  Registrar() {
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const std::pair<Pattern, const char*> patterns[] = {
        {Pattern::kSequential, "seq"}, {Pattern::kRandom, "rand"}, {Pattern::kSameChunk, "same"}};
    for (const BitmapVariant& v : bitmap_variants()) {
      for (const auto& [p, pname] : patterns) {
        std::string name = std::string("BM_StartEndWrite/") + v.name + "/" + pname;
        auto shared = std::make_unique<Shared>();
        shared->bitmap = v.make(geometry(), &shared->mddev);
        shared->domain = std::make_unique<NativeSyncDomain>(shared->bitmap->decls(), kMaxThreads);
        Shared* sp = shared.get();
        owned.push_back(std::move(shared));
        Pattern pat = p;
        benchmark::RegisterBenchmark(name.c_str(),
                                     [sp, pat](benchmark::State& st) { run_pattern(st, *sp, pat); })
            ->ThreadRange(1, std::min(hw, kMaxThreads))
            ->UseRealTime();
      }
    }
  }
  std::vector<std::unique_ptr<Shared>> owned;
} g_registrar;

}  // namespace
}  // namespace mdsim
