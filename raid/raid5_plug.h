// The block layer's plug as raid5's stripe I/O meets it (block/blk-core.c, block/blk-mq.c,
// block/blk-merge.c, Linux 6.12): raid5d and the raid5 workers run between blk_start_plug and
// blk_finish_plug, and ops_run_io submits one 4 KiB bio per stripe_head block. In the plug a
// bio is merged into the most recently plugged request of the same member when it continues it
// (back merge) or precedes it (front merge), is the same op and the request stays within
// max_sectors (blk_attempt_plug_merge -> blk_attempt_bio_merge); otherwise it becomes a new
// request, and before a new request is added the plug is flushed if it holds
// blk_plug_max_rq_count requests (32, 64 once several queues are plugged) or the last request
// added is at least BLK_PLUG_FLUSH_SIZE (128 KiB) (blk_add_rq_to_plug). blk_finish_plug, and
// schedule() when the thread sleeps, flush it (blk_mq_flush_plug_list): each request is one
// member bio to Mddev (member_submit, one tag, one completion).
//
// So a full-stripe write's 4 KiB stripe_head bios, issued in one raid5d pass, reach each member
// as one request: chunk*data_disks bytes give raid_disks member writes. Completion of a request
// runs raid5_end_{read,write}_request for every bio merged into it (one member_endio charge).
//
// Left out: the I/O scheduler's own merging after dispatch (none/mq-deadline), segment and
// max_segment_size limits, REQ_NOMERGE (R5_ReadNoMerge on retried reads), per-device
// max_sectors (kMaxMergeSectors stands for BLK_DEF_MAX_SECTORS_CAP, 1280 KiB), and the
// deferred-bio dispatch of batch_bio_dispatch (conf->group_cnt != 0 with write bios).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "raid/disk.h"
#include "raid/raid5_stripe.h"
#include "sim/machine.h"
#include "sim/task.h"

namespace mdsim {

class Raid5;
class Raid5Plug;

inline constexpr uint32_t kMaxMergeSectors = 2560;  // BLK_DEF_MAX_SECTORS_CAP
inline constexpr uint32_t kPlugFlushSectors = 256;  // BLK_PLUG_FLUSH_SIZE (128 KiB)
inline constexpr int kPlugMaxRequests = 32;         // BLK_MAX_REQUEST_COUNT

// One stripe_head block carried by a member request.
struct R5Part {
  StripeHead* sh = nullptr;
  int dev = 0;
};

struct R5MemberReq {
  int member = -1;
  DiskOp op = DiskOp::kRead;
  Sector sector = 0;  // member sector, relative to the data area
  uint32_t sectors = 0;
  std::vector<R5Part> parts;
  DiskIo io;
  // Completion, as callbacks: the plug, the core that issued it, the disk's result, and the
  // node that takes that core in interrupt context.
  Raid5Plug* plug = nullptr;
  Cpu* cpu = nullptr;
  IoResult result;
  struct IrqWaiter : CpuWaiter {
    R5MemberReq* rq = nullptr;
  } irq;
};

class Raid5Plug {
 public:
  explicit Raid5Plug(Raid5& r5) : r5_(&r5) {}
  Raid5Plug(const Raid5Plug&) = delete;
  Raid5Plug& operator=(const Raid5Plug&) = delete;

  bool empty() const { return plugged_.empty(); }
  int requests() const { return static_cast<int>(plugged_.size()); }

  // submit_bio of one 4 KiB block bio (ops_run_io) from `cpu` (held): merge() puts it into a
  // plugged request if blk_attempt_plug_merge would (true), else the caller flushes the plug
  // if should_flush() (blk_add_rq_to_plug would first) and add() plugs it as a new request.
  bool merge(int member, DiskOp op, Sector sector, R5Part part);
  bool should_flush() const;
  void add(int member, DiskOp op, Sector sector, R5Part part);
  // blk_mq_flush_plug_list: issues every plugged request from `cpu` (held); each one's
  // completion runs on that core in interrupt context (see delivered below).
  Task<void> flush(Cpu& cpu);

 private:
  // The completion of a member request, without a coroutine: the disk delivers (delivered),
  // the request takes its issuing core in interrupt context, at once or when the holder gives
  // it up (granted, called from inside that release()), md's endio work is charged from then
  // (endio), and once it has passed (done_event; done at once if it cost nothing)
  // raid5_end_{read,write}_request runs for every bio merged into the request and the core is
  // given back.
  static void delivered(void* rq);
  static void granted(WaitNode* irq);
  static void done_event(void* rq);
  void endio(R5MemberReq* rq, bool granted);
  void done(R5MemberReq* rq);

  Raid5* r5_;
  std::vector<R5MemberReq*> plugged_;  // in the order added
  std::vector<R5MemberReq*> last_;     // per member: its most recent plugged request
  bool multiple_queues_ = false;       // plugged_ holds requests of several members
  std::vector<R5MemberReq*> flushing_;
  std::deque<R5MemberReq> storage_;  // stable addresses
  std::vector<R5MemberReq*> free_;
};

}  // namespace mdsim
