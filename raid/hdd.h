// hdd: a SATA hard disk with one actuator (geometry in hdd_geometry.h).
//
// Host side: one NCQ queue of 32 tags (nr_hw_queues 1, queue_depth 32); FLUSH CACHE is
// non-queued (it waits for the queue to drain and runs alone, as on a SATA SSD); discard is not
// supported (IoStatus::kNotSupported).
//
// Inside, one media operation runs at a time: command_ns of controller overhead from the
// command's arrival (overlapped with earlier media work), the seek, the rotational wait until
// the first sector comes round (the head's angle is tracked exactly, not drawn), and the
// transfer at the zone's media rate. What runs next is chosen when the actuator frees:
//   - queue_order "fifo": the oldest media command; "sptf": the one with the shortest
//     positioning time (seek + rotation) from where the head is then;
//   - destaging the write cache when no host command waits (or a flush or a full cache
//     demands it): dirty extents oldest first under fifo, by positioning time among the 64
//     oldest under sptf, at most 2 MiB per operation.
// Write cache (write_cache true): a write without FUA completes once it crosses the link into
// the cache (command_ns + bytes / interface_mbps) and is destaged later; contiguous writes merge
// into one extent; a write that does not fit waits for destaging to make room. FUA writes,
// writes larger than the whole cache, and all writes with the cache off are media operations.
// FLUSH completes flush_ns after the cache is empty.
// Read-ahead: after a media read the head keeps streaming the following sectors into the buffer
// (up to readahead_bytes past the last request) until another operation moves it; a read that
// is already buffered completes in command_ns plus the link transfer without using the media,
// and one further along the stream waits only for the stream to reach its end.
// Left out: reads served from dirty cached data, caching of writes in the read buffer, command
// aging under sptf (starvation is possible in principle), idle-time background tasks, error
// recovery retries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raid/disk.h"
#include "raid/hdd_geometry.h"

namespace mdsim {

class Hdd : public Disk {
 public:
  Hdd(Simulator& sim, DiskProfile profile, Rng rng, std::string name);
  bool volatile_cache() const override { return h_.write_cache; }

  const HddGeometry& geometry() const { return geo_; }
  uint64_t dirty_bytes() const { return dirty_bytes_; }

 protected:
  void start(DiskSlot* s) override;
  bool non_queued(DiskOp op) const override { return op == DiskOp::kFlush; }

 private:
  struct Extent {
    Sector lba = 0;
    uint64_t sectors = 0;
  };
  struct Plan {
    Time done = 0;
    Time positioning = 0;  // seek + rotational wait from `ready` (SPTF's key)
    bool stream = false;   // continues the read-ahead stream: the head does not move
  };
  Plan plan(Sector lba, uint64_t sectors, bool write, Time ready) const;
  Time ready_time(const DiskSlot* s) const { return std::max(now(), s->t0 + h_.command_ns); }
  void kick();
  void run(const Plan& p, bool read);
  static void media_done(void* self);
  void accept(DiskSlot* s);
  Time link_ns(uint64_t bytes) const;
  bool buffered(Sector lba, uint64_t sectors) const;
  Sector stream_end(Time t) const;
  Time stream_time(Sector lba) const;
  void stop_stream(Time t);
  // Where the head is at t: streaming read-ahead carries it along.
  double head_track(Time t) const;
  void invalidate(Sector lba, uint64_t sectors);

  HddParams h_;
  HddGeometry geo_;
  bool sptf_;
  uint64_t ra_sectors_;
  uint64_t cache_bytes_;
  std::vector<DiskSlot*> queue_;       // host commands that need the media
  std::vector<DiskSlot*> cache_wait_;  // writes waiting for room in the cache
  std::vector<Extent> dirty_;          // oldest first
  uint64_t dirty_bytes_ = 0;
  DiskSlot* flush_ = nullptr;
  // The media operation in progress.
  bool busy_ = false;
  DiskSlot* current_ = nullptr;  // null: a destage
  Extent op_{};
  double head_track_ = 0;
  // Read-ahead buffer [buf_lo_, buf_hi_), growing from stream_lba_ at stream_t0_ while
  // streaming_, up to stream_cap_.
  Sector buf_lo_ = 0, buf_hi_ = 0, stream_lba_ = 0, stream_cap_ = 0;
  Time stream_t0_ = 0;
  bool streaming_ = false;
};

}  // namespace mdsim
