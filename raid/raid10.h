// raid10: near, far and offset layouts with any copy count md accepts (drivers/md/raid10.c,
// Linux 6.12), on the layout maths of raid10_layout.h.
//
// Size: raid10_size() over calc_sectors() of the member size and chunk; the bitmap covers the
// array (resync_max_sectors is the array size for raid10), with no bitmap_sector mapping.
// Splitting (raid10_make_request): a bio crossing a chunk boundary is cut at the boundary when
// near_copies < raid_disks; raid10_{read,write}_request bio_split the piece off and resubmit the
// rest through md_submit_bio, so each piece after the first costs md_request (md_submit_bio,
// md_account_bio's clone) and pers_request (r10bio, wait_barrier) on the submitting core. The
// pieces run in order; the host bio completes when all have (bio_chain), failing if any failed.
// Writes (raid10_write_request): each piece is an r10bio with a member bio per copy
// (raid10_find_phys) on members not Faulty; bitmap startwrite per r10bio before its bios are
// queued and endwrite when its last bio completes - close_write before 6.14; from 6.14 on
// md_account_bio's clone of each piece (md_clone_bio, md_end_clone_io) does the same, since
// the rest of a split bio re-enters md_submit_bio (so md core does not count the whole bio
// once: counts_bitmap_pieces). With a bitmap the bios
// wait in the plug (raid1_add_bio_to_plug) until blk_finish_plug runs raid10_unplug (bitmap
// unplug, then the data), or until MAX_PLUG_BIO * copies bios are queued; without one they go
// out at once. A failed member write fails that member (md_error; narrow_write_error is left
// out); an r10bio succeeds if any copy was written. head_position of the members written is set
// when the r10bio completes (the kernel sets it per member completion).
// Reads (raid10_read_request, read_balance): over the copies not Faulty and not tried before
// (IO_BLOCKED): if any member is non-rotational (mddev->nonrot_disks), the non-rotational copy
// with the fewest pending bios; else the smallest "distance": 0 for an idle member of a near
// layout, the member address itself for far/offset layouts (so the first copy, near the start
// of each member, wins), else |address - head_position|. Ties go to the earlier slot. There is
// no sequential-run tracking in raid10 (raid1's next_seq_sect has no raid10 counterpart).
// A failed read: raid10_end_read_request gives up when _enough() says some data would have no
// copy left without that member, and then leaves the member alone (the read fails upwards);
// otherwise raid10d (handle_read_error) re-reads from another copy and md core fails the member
// (fix_read_error's rewrite and its max_read_errors count are left out).
// Discards take the write path (what raid10_handle_discard does for discards shorter than two
// stripes; its whole-stripe fast path is left out).
//
// Left out: barriers and resync windows (do_balance, next issue), bad blocks and failfast,
// replacements, reshape (conf->prev), wait_blocked_dev, REQ_NOWAIT, the r10bio mempool, the
// write-mostly and write-behind paths (raid10 has none).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "raid/personality.h"
#include "raid/raid10_layout.h"
#include "sim/inline_array.h"

namespace mdsim {

class Raid10 : public Personality {
 public:
  // Reads the layout ("" means mdadm's default n2; "n2", "f3", "o2", or md's word as "0x...")
  // and chunk from the array config; aborts on a geometry md would refuse (the app layer
  // checks configs first).
  explicit Raid10(Mddev& md);
  const char* name() const override { return "raid10"; }
  Sector array_sectors() const override { return array_sectors_; }
  Sector bitmap_sectors() const override { return array_sectors_; }
  Task<MdCompletion> make_request(Cpu& cpu, const DiskRequest& bio) override;

  const Raid10Geometry& geometry() const { return geo_; }
  // raid10_make_request's cut: how many sectors of [sector, +sectors) the first piece takes.
  uint32_t piece_sectors(Sector sector, uint32_t sectors) const;
  // read_balance (6.12) over `copies` (raid10_find_phys order): the slot to read, or -1;
  // `blocked[slot]` marks slots already tried (empty: none).
  int read_balance(std::span<const Raid10Copy> copies, const std::vector<bool>& blocked) const;
  // _enough(conf, 0, ignore): every run of `copies` consecutive members starting at a
  // multiple of near_copies still has a member not Faulty other than `ignore` (-1: none).
  bool enough(int ignore) const;
  // raid10_error (6.12): a member whose loss would leave some data without a copy (!enough)
  // fails the array (MD_BROKEN) and, unless fail_last_dev, stays In_sync.
  ErrorVerdict error(int member, bool fail_last_dev) override;
  // Both hook placements count each piece (md_account_bio per piece in 6.14+, r10bio before).
  bool counts_bitmap_pieces() const override { return true; }

  struct Stats {
    uint64_t r10bios = 0;       // pieces handled (reads and writes)
    uint64_t splits = 0;        // pieces beyond the first of a bio
    uint64_t read_retries = 0;  // reads re-issued after a member error
  };
  const Stats& stats() const { return stats_; }

 private:
  struct R10Bio;
  struct Plug;
  struct Join;
  // raid10_make_request's cuts, each an r10bio with its copies (nearly always one).
  using Pieces = InlineArray<R10Bio, 1>;
  void split(const DiskRequest& bio, Pieces& pieces) const;
  void next_piece_cost(Cpu& cpu);
  Task<MdCompletion> read_request(Cpu& cpu, const DiskRequest& bio);
  Task<MdCompletion> write_request(Cpu& cpu, const DiskRequest& bio);
  Task<MdCompletion> write_one(Cpu& cpu, const DiskRequest& bio);
  // raid10_find_phys for the piece [sector, +sectors).
  void map_piece(R10Bio& r, Sector sector, uint32_t sectors) const;
  // The piece's member bios (one per copy on a member not Faulty), in its BioGroup; how many.
  int add_member_bios(R10Bio& r, const DiskRequest& bio);
  Task<void> flush_plug(Cpu& cpu, Plug& plug);
  // A piece's member writes are done: update_head_pos for each member written.
  void update_head_pos(const R10Bio& r);
  Task<void> finish_write(Cpu& cpu, R10Bio& r, Join& j);
  Task<void> issue_read(Cpu& cpu, R10Bio& r);
  Task<void> finish_read(Cpu& cpu, R10Bio& r, Join& j);

  Raid10Geometry geo_;
  Sector array_sectors_ = 0;
  std::vector<bool> nonrot_;  // per member (bdev_nonrot)
  int nonrot_disks_ = 0;      // mddev->nonrot_disks
  Stats stats_;
};

}  // namespace mdsim
