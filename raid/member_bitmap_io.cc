// Bitmap page writes to every member: see member_bitmap_io.h.
#include "raid/member_bitmap_io.h"

#include <cstdio>
#include <cstdlib>

#include "bitmaps/sim_sync.h"
#include "raid/mddev.h"
#include "sim/join.h"

namespace mdsim {

Task<void> MemberBitmapIo::write_pages(SyncExecutor& x, std::span<const uint64_t> pages,
                                       bool flush_fua) {
  auto* sx = dynamic_cast<SimExecutor*>(&x);
  if (sx == nullptr) {
    std::fprintf(stderr, "mdsim: internal error: member bitmap I/O needs the simulation executor\n");
    std::abort();
  }
  md_->stats_.bitmap_page_writes += pages.size();
  std::vector<uint64_t> copy(pages.begin(), pages.end());
  co_await x.io_wait(write_all(sx->cpu(), std::move(copy), flush_fua));
}

Task<void> MemberBitmapIo::write_all(Cpu& cpu, std::vector<uint64_t> pages, bool flush_fua) {
  std::vector<Task<void>> writes;
  for (uint64_t p : pages) {
    for (int m = 0; m < md_->raid_disks(); ++m) {
      if (!md_->member(m).faulty) writes.push_back(write_one(cpu, m, p, flush_fua));
    }
  }
  co_await all_of(std::move(writes));
}

Task<void> MemberBitmapIo::write_one(Cpu& cpu, int member, uint64_t page, bool flush_fua) {
  DiskRequest r;
  r.op = DiskOp::kWrite;
  r.sector = kBitmapStartSector + page * kBitmapPageSectors;
  r.sectors = kBitmapPageSectors;
  r.fua = flush_fua;
  r.preflush = flush_fua;
  IoResult res = co_await md_->member(member).disk->submit(cpu, r);
  if (!res.ok()) md_->md_error(member);
}

}  // namespace mdsim
