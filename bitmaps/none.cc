// `none`: an array without a write-intent bitmap (mdadm --bitmap=none).
//
// Models md's behaviour when mddev->bitmap is NULL (md-bitmap.c, 6.12): startwrite/endwrite
// do nothing, start_sync answers "needs sync" for every range (and, like
// md_bitmap_start_sync without a bitmap, covers 1024 sectors at a time), so an unclean stop
// means a full resync. Nothing is persisted; every chunk is always suspect.
// State: none. Synchronisation declared: none.
#include "bitmaps/registry.h"

namespace mdsim {
namespace {

class NoneBitmap : public BitmapOps {
 public:
  using BitmapOps::BitmapOps;
  const char* name() const override { return "none"; }
  bool enabled() const override { return false; }
  void load_image(std::span<const uint8_t>) override {}
  Task<void> startwrite(SyncExecutor&, Sector, uint64_t) override { co_return; }
  Task<void> endwrite(SyncExecutor&, Sector, uint64_t) override { co_return; }
  Task<void> start_behind_write(SyncExecutor&) override { co_return; }
  Task<void> end_behind_write(SyncExecutor&) override { co_return; }
  Task<void> wait_behind_writes(SyncExecutor&) override { co_return; }
  Task<bool> start_sync(SyncExecutor&, Sector, Sector* blocks, bool) override {
    *blocks = 1024;
    co_return true;
  }
  Task<void> end_sync(SyncExecutor&, Sector, Sector* blocks) override {
    *blocks = 1024;
    co_return;
  }
  Task<void> close_sync(SyncExecutor&) override { co_return; }
  Task<void> cond_end_sync(SyncExecutor&, Sector, bool) override { co_return; }
  Task<void> unplug(SyncExecutor&, BitmapIo&, bool) override { co_return; }
  Task<void> daemon_work(SyncExecutor&, BitmapIo&) override { co_return; }
  void dirty_bits(uint64_t, uint64_t) override {}
  BitmapStats get_stats() const override {
    BitmapStats s;
    s.sync_size = geo_.sync_size;
    return s;
  }
  std::vector<uint8_t> disk_image() const override { return {}; }
  bool persisted_dirty(uint64_t) const override { return true; }
  bool clears_bits() const override { return false; }
};

}  // namespace

std::unique_ptr<BitmapOps> make_none_bitmap(const BitmapGeometry& g, const MddevView* m) {
  return std::make_unique<NoneBitmap>(g, m);
}

}  // namespace mdsim
