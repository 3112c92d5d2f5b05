// The I/O stream of one fio job clone (fio 3.33 io_u.c fill_io_u: get_next_offset,
// get_next_buflen, set_rw_ddir; filesetup.c for the region), deterministic from the Rng it is
// given. The caller owns time: iodepth, rate, thinktime, runtime and ramp_time are applied by
// whoever issues these I/Os.
//
// Region: the clone works in [start, end) of the target (the simulated array), start = offset
// + job_index * offset_increment (percentages of the target, aligned up to offset_align or the
// smallest block size), end = start + (filesize | size | the rest of the target), capped at the
// target's end as fio caps a device's size at real_size - offset.
//
// Offsets: sequential I/O goes on from where the direction's last I/O ended (plus rw=write:N
// holes) and wraps to the region start; random I/O draws a block of blockalign size uniformly,
// or from random_distribution (zipf/pareto/normal: a rank spread over the blocks by a
// permutation; zoned/zoned_abs: a zone by access percentage, then a block in it uniformly). The
// random map (fio_random_map.h) makes uniform and zoned random I/O touch every block once per
// pass; fio turns it off for norandommap, zipf/pareto/normal and an explicit blockalign, and
// mdsim also when the used directions have different block sizes. random_generator=lfsr keeps
// the map even with norandommap (fio's LFSR never repeats a block in a pass).
// percentage_random mixes sequential I/O into random jobs; rw=randread:N draws a new random
// offset every N I/Os and otherwise continues sequentially (rw_sequencer=sequential) or
// repeats the last offset (identical).
//
// Directions: rw/randrw pick read with probability rwmixread% for every I/O (fio decides per
// I/O too, through a counter that converges to the same mix); trimwrite/randtrimwrite trim a
// block, then write the same offset and length.
//
// Lengths: bs, or bsrange (min + uniform(0, max), aligned down to a multiple of min unless
// bs_unaligned, capped at max: fio's formula, so not uniform between min and max), or bssplit
// (entries tried most likely first; one that does not fit before the region end passes on to
// the next). An I/O never crosses the region end.
//
// Done: after number_ios I/Os, or, unless time_based, when the I/O budget — io_size (default:
// size, or filesize) times loops — has been issued (trimwrite counts the writes).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "sim/random.h"
#include "workloads/fio_distribution.h"
#include "workloads/fio_job.h"
#include "workloads/fio_random_map.h"

namespace mdsim {

struct FioIo {
  FioOp op = FioOp::kRead;
  uint64_t offset = 0;  // bytes from the start of the target
  uint64_t length = 0;  // bytes
  bool operator==(const FioIo&) const = default;
};

class FioGenerator {
 public:
  // Throws FioJobError naming the responsible option's file:line when the job does not fit the
  // target (region beyond its end, smaller than a block, zoned_abs zones past the region), or
  // when the job replays a trace (read_iolog: see workloads/trace_replay.h).
  FioGenerator(const FioJob& job, uint64_t target_bytes, uint32_t job_index, Rng rng);

  // The next I/O, or nullopt once the job is done.
  std::optional<FioIo> next();
  bool done() const { return done_; }

  uint64_t region_start() const { return start_; }
  uint64_t region_end() const { return end_; }
  uint64_t budget_bytes() const { return budget_; }  // 0 when time_based
  uint64_t ios() const { return ios_; }
  uint64_t bytes() const { return bytes_; }  // all directions
  bool uses_random_map() const { return map_ != nullptr; }

 private:
  FioOp choose_op();
  // Offsets are relative to the region start; false when the job has nothing left to do.
  bool next_offset(FioOp op, uint64_t* off, uint64_t* len);
  bool sequential(FioOp op, uint64_t* off, uint64_t* len);
  bool random(FioOp op, uint64_t* off, uint64_t* len);
  uint64_t draw_block(FioOp op);
  uint64_t choose_length(FioOp op, uint64_t off);
  bool budget_left() const;

  FioJob job_;
  uint64_t start_ = 0, end_ = 0, region_ = 0, budget_ = 0;
  std::array<uint64_t, kFioOps> ba_{}, blocks_{};  // alignment and random slots per direction
  std::array<uint64_t, kFioOps> last_pos_{}, last_start_{};
  std::array<bool, kFioOps> started_{};
  std::unique_ptr<FioRandomMap> map_;
  std::array<std::unique_ptr<ZipfSampler>, kFioOps> zipf_;
  std::array<std::unique_ptr<ParetoSampler>, kFioOps> pareto_;
  std::array<std::unique_ptr<FioNormalSampler>, kFioOps> normal_;
  std::array<std::unique_ptr<BlockPermutation>, kFioOps> scatter_;
  std::array<uint64_t, kFioOps> center_off_{};
  std::array<std::array<uint8_t, 100>, kFioOps> zone_of_{};  // access percentile -> zone
  std::array<std::vector<std::pair<uint64_t, uint64_t>>, kFioOps> zone_blocks_;  // [lo, hi)
  Rng op_rng_, offset_rng_, bs_rng_, mix_rng_, zone_rng_;
  uint32_t seq_countdown_ = 1;
  std::optional<FioIo> pending_write_;  // trimwrite: the write after a trim
  uint64_t ios_ = 0, bytes_ = 0, counted_ = 0;
  bool done_ = false;
};

// The Rng for clone `clone` of job number `job_number` (its place in the job file): from
// randseed when the job sets it (so the pattern does not change with the run seed, as fio's
// randseed fixes it), else from the run's streams ("fio.job<N>", clone).
Rng fio_job_rng(const FioJob& job, const RandomStreams& streams, uint32_t job_number,
                uint32_t clone);

}  // namespace mdsim
