// md core's bitmap hooks: the daemon (md_bitmap_daemon_work from mddev->thread) and the
// calls the personalities and md_submit_bio make into the bitmap variant, each on the calling
// core's executor. See mddev.h.
#include "raid/mddev.h"

#include "raid/member_bitmap_io.h"

namespace mdsim {

Task<void> Mddev::daemon() {
  Cpu& cpu = machine_->cpu(0);
  while (!stopping_) {
    co_await sim().delay(cfg_.daemon_sleep);
    if (stopping_) break;
    co_await cpu.acquire(kinds_.daemon);
    SimExecutor x(*domain_, cpu, kinds_.daemon, kinds_.bitmap_sync);
    co_await bitmap_->daemon_work(x, *bitmap_io_);
    ++stats_.daemon_passes;
    cpu.release();
  }
}

Settled Mddev::bitmap_startwrite(Cpu& cpu, Sector offset, uint64_t sectors, WriteCookie& c) {
  ++stats_.bitmap_startwrites;
  return Settled(cpu, bitmap_->startwrite_tracked(executor(cpu), offset, sectors, c));
}

Settled Mddev::bitmap_endwrite(Cpu& cpu, Sector offset, uint64_t sectors,
                               const WriteCookie& c) {
  return Settled(cpu, bitmap_->endwrite_tracked(executor(cpu), offset, sectors, c),
                 &stats_.bitmap_endwrites);
}

Task<void> Mddev::bitmap_unplug(Cpu& cpu) {
  return bitmap_->unplug(executor(cpu), *bitmap_io_, true);
}

Settled Mddev::bitmap_start_behind_write(Cpu& cpu) {
  return Settled(cpu, bitmap_->start_behind_write(executor(cpu)));
}

Settled Mddev::bitmap_end_behind_write(Cpu& cpu) {
  return Settled(cpu, bitmap_->end_behind_write(executor(cpu)));
}

Settled Mddev::bitmap_wait_behind_writes(Cpu& cpu) {
  return Settled(cpu, bitmap_->wait_behind_writes(executor(cpu)));
}

Task<bool> Mddev::bitmap_start_sync(Cpu& cpu, Sector offset, Sector* blocks, bool degraded) {
  co_await cpu.settle();
  co_return co_await bitmap_->start_sync(executor(cpu), offset, blocks, degraded);
}

SimExecutor& Mddev::executor(Cpu& cpu) {
  return *executors_[static_cast<size_t>(cpu.id())];
}

}  // namespace mdsim
