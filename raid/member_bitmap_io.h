// MemberBitmapIo: the bitmap's own I/O on the array's members. A storage page write is
// md_super_write of that page to every member not Faulty (REQ_PREFLUSH | REQ_FUA, as
// md_super_write sets for metadata in 6.12), and the caller waits for all of them
// (md_super_wait), sleeping: the executor gives its core up meanwhile. Page p lives at member
// sector kBitmapStartSector + 8p (the internal bitmap of 1.2 metadata). A failed page write
// fails that member (md_super_endio -> md_error).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bitmaps/bitmap_ops.h"
#include "sim/machine.h"

namespace mdsim {

class Mddev;

class MemberBitmapIo : public BitmapIo {
 public:
  explicit MemberBitmapIo(Mddev& md) : md_(&md) {}
  Task<void> write_pages(SyncExecutor& x, std::span<const uint64_t> pages,
                         bool flush_fua) override;

 private:
  Task<void> write_all(Cpu& cpu, std::vector<uint64_t> pages, bool flush_fua);
  Task<void> write_one(Cpu& cpu, int member, uint64_t page, bool flush_fua);

  Mddev* md_;
};

}  // namespace mdsim
