// CPU costs of md's I/O path, in ns per occurrence, looked up by name in the machine profile's
// "costs" map (profiles/*.json) with the defaults below when the profile has none.
//
// The defaults are order-of-magnitude estimates for a ~3 GHz server core, to be calibrated
// against perf profiles of real arrays (the validation work); each says what kernel work it
// stands for. They are NOT measurements: reports list the values a run used (the resolved
// config), so a reader can see and change them.
#pragma once

#include "sim/machine.h"
#include "sim/time.h"

namespace mdsim {

struct MdCosts {
  // submit_bio -> md_submit_bio -> md_handle_request -> md_clone_bio (percpu active_io ref,
  // bio clone, io accounting): once per host bio.
  Time md_request = 300;
  // The personality's make_request: raid1/raid10 r1bio/r10bio allocation, wait_barrier, read
  // balance; raid5 raid5_make_request's per-stripe lookup is stripe_add below.
  Time pers_request = 400;
  // One member bio: bio_alloc_clone, submit_bio_noacct, blk-mq tag and driver queue_rq (an
  // NVMe doorbell write).
  Time member_submit = 600;
  // One member completion in interrupt context: the driver's irq handler, blk_mq_end_request,
  // the personality's end_io (raid1_end_write_request, raid5_end_write_request).
  Time member_endio = 700;
  // Completing the host bio: bio_endio of the clone (md_end_clone_io) and of the original,
  // waking the submitter (aio/io_uring completion posting).
  Time bio_endio = 300;
  // raid5: adding one 4 KiB stripe unit of a bio to a stripe_head (raid5_get_active_stripe
  // hash lookup + add_stripe_bio), and one handle_stripe pass over a stripe_head.
  Time stripe_add = 250;
  Time stripe_handle = 1200;
  // raid5/6 parity (xor_blocks / raid6 gen_syndrome with AVX2) per KiB of data processed.
  Time parity_per_kib = 60;
  // raid1 write-behind: alloc_behind_master_bio copies the data into new pages, per KiB.
  Time copy_per_kib = 80;
  // A raid thread waking up to handle queued work (raid1d/raid10d/raid5d loop overhead).
  Time thread_wakeup = 1000;

  // The profile's values for the names "md.request", "md.pers_request", ... (see .cc).
  static MdCosts from(const Machine& m);
};

}  // namespace mdsim
