// One fio job clone's I/O stream: see fio_generator.h.
#include "workloads/fio_generator.h"

#include <algorithm>
#include <string>

namespace mdsim {

namespace {

uint64_t round_up(uint64_t x, uint64_t a) { return a == 0 ? x : (x + a - 1) / a * a; }

uint64_t percent_of(uint64_t total, int percent) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(total) * percent / 100);
}

std::string bytes_str(uint64_t b) { return std::to_string(b) + " bytes"; }

}  // namespace

FioGenerator::FioGenerator(const FioJob& job, uint64_t target_bytes, uint32_t job_index, Rng rng)
    : job_(job),
      op_rng_(rng()),
      offset_rng_(rng()),
      bs_rng_(rng()),
      mix_rng_(rng()),
      zone_rng_(rng()) {
  if (job.replay()) {
    job.fail("read_iolog", "job '" + job.name +
                               "' replays a trace (read_iolog); it has no "
                               "generated I/O stream (see workloads/trace_replay.h)");
  }
  bool used[kFioOps];
  uint64_t min_bs = UINT64_MAX;
  for (int d = 0; d < kFioOps; ++d) {
    used[d] = fio_rw_uses(job.rw, static_cast<FioOp>(d));
    if (used[d]) min_bs = std::min(min_bs, job.min_bs[d]);
  }
  uint64_t align = job.offset_align ? job.offset_align : min_bs;
  auto place = [&](const FioSizeSpec& s) {
    return s.percent ? round_up(percent_of(target_bytes, s.percent), align) : s.bytes;
  };
  uint64_t inc = place(job.offset_increment);
  start_ = place(job.offset) + inc * job_index;
  if (start_ >= target_bytes) {
    job.fail(inc && job_index ? "offset_increment" : "offset",
             "clone " + std::to_string(job_index) + " of job '" + job.name + "' starts at " +
                 bytes_str(start_) + ", beyond the end of the simulated array (" +
                 bytes_str(target_bytes) + ")");
  }
  uint64_t want = target_bytes - start_;
  if (job.filesize) {
    auto [lo, hi] = *job.filesize;
    want = lo == hi ? lo : lo + offset_rng_.below(hi - lo + 1);
  } else if (job.size.set) {
    want = job.size.percent ? percent_of(target_bytes, job.size.percent) : job.size.bytes;
  }
  end_ = start_ + std::min(want, target_bytes - start_);
  region_ = end_ - start_;
  for (int d = 0; d < kFioOps; ++d) {
    if (used[d] && region_ < job.min_bs[d]) {
      job.fail(job.filesize   ? "filesize"
               : job.size.set ? "size"
                              : "offset",
               "job '" + job.name + "' has a region of " + bytes_str(region_) +
                   ", smaller than its " + fio_op_name(static_cast<FioOp>(d)) + " block size (" +
                   bytes_str(job.min_bs[d]) + ")");
    }
  }
  uint64_t io =
      job.size.set && job.filesize
          ? (job.size.percent ? percent_of(target_bytes, job.size.percent) : job.size.bytes)
          : region_;
  if (job.io_size.set) {
    io = job.io_size.percent ? percent_of(target_bytes, job.io_size.percent) : job.io_size.bytes;
  }
  budget_ = job.time_based ? 0 : io * job.loops;
  if (!job.time_based && budget_ == 0) job.fail("io_size", "the job has no I/O to do");

  // Random slots per direction: blocks of blockalign size whose min_bs I/O fits the region.
  bool same_unit = true;
  uint64_t unit = 0;
  for (int d = 0; d < kFioOps; ++d) {
    ba_[d] = job.ba[d] ? job.ba[d] : job.min_bs[d];
    uint64_t tail = job.min_bs[d] > ba_[d] ? job.min_bs[d] - ba_[d] : 0;  // io_u.c last_block
    uint64_t room = region_ > tail ? region_ - tail : 0;
    blocks_[d] = std::max<uint64_t>(1, room / ba_[d]);
    if (!used[d]) continue;
    if (ba_[d] != job.min_bs[d] || (unit && unit != ba_[d])) same_unit = false;
    unit = ba_[d];
  }
  const FioRandomDistribution& rd = job.random_distribution;
  bool nonuniform = rd.kind == FioDistribution::kZipf || rd.kind == FioDistribution::kPareto ||
                    rd.kind == FioDistribution::kNormal;
  bool any_random = fio_rw_is_random(job.rw);
  bool want_map = (!job.norandommap || job.random_generator == FioRandomGenerator::kLfsr) &&
                  !nonuniform && same_unit;
  if (any_random && want_map) map_ = std::make_unique<FioRandomMap>(region_ / unit);

  uint64_t key = rng();
  for (int d = 0; d < kFioOps; ++d) {
    if (!used[d] || !any_random) continue;
    uint64_t n = blocks_[d];
    if (nonuniform) {
      scatter_[d] = std::make_unique<BlockPermutation>(n, key);
      center_off_[d] =
          rd.center >= 0 ? static_cast<uint64_t>(rd.center * n) % n : offset_rng_.below(n);
    }
    if (rd.kind == FioDistribution::kZipf) zipf_[d] = std::make_unique<ZipfSampler>(n, rd.param);
    if (rd.kind == FioDistribution::kPareto) {
      pareto_[d] = std::make_unique<ParetoSampler>(n, rd.param);
    }
    if (rd.kind == FioDistribution::kNormal) {
      normal_[d] = std::make_unique<FioNormalSampler>(n, rd.param);
    }
    if ((rd.kind == FioDistribution::kZoned || rd.kind == FioDistribution::kZonedAbs) &&
        !rd.zones[d].empty()) {
      // zoned: zone z spans [n*p0/100, n*p1/100) for its cumulative size percentages p0, p1
      // (io_u.c __get_next_rand_offset_zoned); zoned_abs: its bytes in blockalign units.
      uint64_t lo = 0, cum_bytes = 0;
      int pct = 0, cum_size = 0;
      for (size_t z = 0; z < rd.zones[d].size(); ++z) {
        const FioZone& zone = rd.zones[d][z];
        uint64_t hi;
        if (rd.kind == FioDistribution::kZoned) {
          cum_size += zone.size_percent;
          hi = n * static_cast<uint64_t>(cum_size) / 100;
        } else {
          cum_bytes += zone.size_bytes;
          hi = cum_bytes / ba_[d];
          if (hi > n) {
            job.fail("random_distribution", "zoned_abs zones end at " + bytes_str(cum_bytes) +
                                                ", beyond job '" + job.name + "' region of " +
                                                bytes_str(region_));
          }
        }
        zone_blocks_[d].emplace_back(lo, std::max(hi, lo + 1));
        lo = hi;
        for (int i = 0; i < zone.access_percent; ++i) zone_of_[d][pct++] = static_cast<uint8_t>(z);
      }
    }
  }
  seq_countdown_ = job.rw_seq_nr;
}

bool FioGenerator::budget_left() const { return job_.time_based || counted_ < budget_; }

std::optional<FioIo> FioGenerator::next() {
  if (done_) return std::nullopt;
  FioIo io;
  if (pending_write_) {
    io = *pending_write_;
    pending_write_.reset();
  } else {
    io.op = choose_op();
    uint64_t off = 0, len = 0;
    if (!next_offset(io.op, &off, &len)) {
      done_ = true;
      return std::nullopt;
    }
    io.offset = start_ + off;
    io.length = len;
    if (io.op == FioOp::kTrim &&
        (job_.rw == FioRw::kTrimWrite || job_.rw == FioRw::kRandTrimWrite)) {
      pending_write_ = FioIo{FioOp::kWrite, io.offset, io.length};
    }
  }
  ++ios_;
  bytes_ += io.length;
  bool trimwrite = job_.rw == FioRw::kTrimWrite || job_.rw == FioRw::kRandTrimWrite;
  if (!trimwrite || io.op == FioOp::kWrite) counted_ += io.length;
  if ((job_.number_ios && ios_ >= job_.number_ios) ||
      (!job_.time_based && counted_ >= budget_ && !pending_write_)) {
    done_ = true;
  }
  return io;
}

FioOp FioGenerator::choose_op() {
  switch (job_.rw) {
    case FioRw::kRead:
    case FioRw::kRandRead:
      return FioOp::kRead;
    case FioRw::kWrite:
    case FioRw::kRandWrite:
      return FioOp::kWrite;
    case FioRw::kReadWrite:
    case FioRw::kRandRW:
      return static_cast<int>(op_rng_.below(100)) < job_.rwmixread ? FioOp::kRead : FioOp::kWrite;
    default:
      return FioOp::kTrim;  // trim, randtrim, and the trim half of trimwrite
  }
}

bool FioGenerator::next_offset(FioOp op, uint64_t* off, uint64_t* len) {
  int d = static_cast<int>(op);
  bool fresh = true;  // rw=randread:N: only every Nth I/O gets a new offset
  if (job_.rw_seq_nr > 1) {
    if (--seq_countdown_ == 0) {
      seq_countdown_ = job_.rw_seq_nr;
    } else {
      fresh = false;
    }
  }
  bool ok;
  if (!fresh && job_.rw_sequencer == FioRwSequencer::kIdentical) {
    *off = started_[d] ? last_start_[d] : 0;
    *len = choose_length(op, *off);
    ok = true;
  } else if (!fresh || !fio_rw_is_random(job_.rw)) {
    ok = sequential(op, off, len);
  } else if (job_.percentage_random[d] < 100 &&
             static_cast<int>(mix_rng_.below(100)) >= job_.percentage_random[d]) {
    ok = sequential(op, off, len);
  } else {
    ok = random(op, off, len);
  }
  if (ok) {
    last_start_[d] = *off;
    last_pos_[d] = *off + *len;
    started_[d] = true;
  }
  return ok;
}

bool FioGenerator::sequential(FioOp op, uint64_t* off, uint64_t* len) {
  int d = static_cast<int>(op);
  uint64_t pos = last_pos_[d];
  if (started_[d] && job_.rw_seq_add) pos += job_.rw_seq_add;
  if (pos + job_.min_bs[d] > region_) {  // end of the region: a new pass, if there is budget
    if (!budget_left()) return false;
    pos = 0;
  }
  *off = pos;
  *len = choose_length(op, pos);
  return true;
}

uint64_t FioGenerator::draw_block(FioOp op) {
  int d = static_cast<int>(op);
  uint64_t n = blocks_[d];
  if (zipf_[d]) return ((*scatter_[d])((*zipf_[d])(offset_rng_)) + center_off_[d]) % n;
  if (pareto_[d]) return ((*scatter_[d])((*pareto_[d])(offset_rng_)) + center_off_[d]) % n;
  if (normal_[d]) return ((*scatter_[d])((*normal_[d])(offset_rng_)) + center_off_[d]) % n;
  if (!zone_blocks_[d].empty()) {
    auto [lo, hi] = zone_blocks_[d][zone_of_[d][zone_rng_.below(100)]];
    return std::min(lo + offset_rng_.below(hi - lo), n - 1);
  }
  return offset_rng_.below(n);
}

bool FioGenerator::random(FioOp op, uint64_t* off, uint64_t* len) {
  int d = static_cast<int>(op);
  uint64_t b = draw_block(op);
  if (map_) {
    if (map_->full()) {
      if (!budget_left()) return false;
      map_->reset();
    }
    b = map_->next_free(b);
    if (b >= blocks_[d]) b = map_->next_free(0);  // past the last slot a min_bs I/O fits
    if (b >= blocks_[d]) {
      map_->reset();
      b = draw_block(op);
    }
  }
  *off = b * ba_[d];
  *len = choose_length(op, *off);
  if (map_) {
    uint64_t unit = ba_[d];
    uint64_t marked = map_->set_run(b, (*len + unit - 1) / unit);
    *len = std::min(*len, marked * unit);
  }
  return true;
}

uint64_t FioGenerator::choose_length(FioOp op, uint64_t off) {
  int d = static_cast<int>(op);
  uint64_t lo = job_.min_bs[d], hi = job_.max_bs[d];
  uint64_t room = region_ - off;
  if (lo == hi || room <= lo) return std::min(lo, room);
  const std::vector<FioBsSplitEntry>& split = job_.bssplit[d];
  for (int attempt = 0; attempt < 1000; ++attempt) {
    uint64_t len;
    if (split.empty()) {
      len = lo + static_cast<uint64_t>(static_cast<double>(hi) * bs_rng_.uniform01());
    } else {
      double u = 100.0 * bs_rng_.uniform01();
      int cum = 0;
      len = split.back().bs;
      for (const FioBsSplitEntry& e : split) {
        if (e.percent == 0) continue;
        cum += e.percent;
        len = e.bs;
        if (u < cum && e.bs <= room) break;
      }
    }
    if (!job_.bs_unaligned) len -= len % lo;
    len = std::min(len, hi);
    if (len <= room) return len;
  }
  return lo;
}

Rng fio_job_rng(const FioJob& job, const RandomStreams& streams, uint32_t job_number,
                uint32_t clone) {
  if (job.randseed_set) {
    uint64_t s = job.randseed ^ (uint64_t{clone} * 0x9e3779b97f4a7c15ull);
    return Rng(splitmix64(s));
  }
  return streams.stream("fio.job" + std::to_string(job_number), clone);
}

}  // namespace mdsim
