// Hard disk model: see hdd.h.
#include "raid/hdd.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace mdsim {

namespace {

constexpr uint64_t kMaxDestageSectors = 4096;  // 2 MiB per destage operation
constexpr size_t kSptfDestageWindow = 64;

}  // namespace

Hdd::Hdd(Simulator& sim, DiskProfile profile, Rng rng, std::string name)
    : Disk(sim, std::move(profile), rng, std::move(name)),
      h_(this->profile().hdd),
      geo_(h_, capacity_sectors()),
      sptf_(h_.queue_order == "sptf"),
      ra_sectors_(h_.readahead_bytes / kSectorBytes),
      cache_bytes_(h_.write_cache_bytes) {}

Time Hdd::link_ns(uint64_t bytes) const {
  return static_cast<Time>(std::llround(static_cast<double>(bytes) * 1e3 / h_.interface_mbps));
}

Sector Hdd::stream_end(Time t) const {
  if (!streaming_) return buf_hi_;
  if (t < stream_t0_) return buf_lo_;  // the read that starts the stream is still running
  // Sectors under the head since stream_t0_: invert T(lba) locally at the stream's rate.
  double passed = static_cast<double>(t - stream_t0_) * geo_.rate(stream_lba_) / kSectorBytes;
  Sector end = stream_lba_ + static_cast<Sector>(passed);
  return std::min(end, stream_cap_);
}

Time Hdd::stream_time(Sector lba) const {
  return stream_t0_ + static_cast<Time>(std::llround(
                          (geo_.track(lba) - geo_.track(stream_lba_)) * geo_.rev_ns()));
}

bool Hdd::buffered(Sector lba, uint64_t sectors) const {
  return lba >= buf_lo_ && lba + sectors <= stream_end(now());
}

void Hdd::stop_stream(Time t) {
  if (!streaming_) return;
  buf_hi_ = stream_end(t);
  head_track_ = geo_.track(buf_hi_);
  streaming_ = false;
}

double Hdd::head_track(Time t) const {
  return streaming_ && t >= stream_t0_ ? geo_.track(stream_end(t)) : head_track_;
}

void Hdd::invalidate(Sector lba, uint64_t sectors) {
  Sector hi = streaming_ ? stream_cap_ : buf_hi_;
  if (lba < hi && lba + sectors > buf_lo_) {
    streaming_ = false;
    buf_lo_ = buf_hi_ = 0;
  }
}

void Hdd::start(DiskSlot* s) {
  s->t0 = now();
  const DiskCommand& c = s->cmd;
  switch (c.op) {
    case DiskOp::kRead:
      if (buffered(c.sector, c.sectors)) {
        finish_at(s, now() + h_.command_ns + link_ns(c.bytes()));
        return;
      }
      queue_.push_back(s);
      break;
    case DiskOp::kWrite:
      invalidate(c.sector, c.sectors);
      if (h_.write_cache && !c.fua && c.bytes() <= cache_bytes_) {
        if (cache_wait_.empty() && dirty_bytes_ + c.bytes() <= cache_bytes_) {
          accept(s);
        } else {
          cache_wait_.push_back(s);
        }
      } else {
        queue_.push_back(s);
      }
      break;
    case DiskOp::kFlush:
      flush_ = s;
      break;
    case DiskOp::kDiscard:
      s->status = IoStatus::kNotSupported;
      finish_at(s, now() + h_.command_ns);
      return;
  }
  kick();
}

void Hdd::accept(DiskSlot* s) {
  const DiskCommand& c = s->cmd;
  dirty_bytes_ += c.bytes();
  if (!dirty_.empty() && dirty_.back().lba + dirty_.back().sectors == c.sector) {
    dirty_.back().sectors += c.sectors;
  } else {
    dirty_.push_back(Extent{c.sector, c.sectors});
  }
  finish_at(s, std::max(now(), s->t0 + h_.command_ns) + link_ns(c.bytes()));
}

Hdd::Plan Hdd::plan(Sector lba, uint64_t sectors, bool write, Time ready) const {
  Plan p;
  if (!write && streaming_ && lba >= buf_lo_ && lba + sectors <= stream_cap_) {
    p.stream = true;
    p.done = std::max(ready, stream_time(lba + sectors));
    return p;
  }
  const double trk = geo_.track(lba);
  Time t = ready + geo_.seek_ns(head_track(ready), trk, write);
  t += geo_.rotation_wait(t, trk);
  p.positioning = t - ready;
  p.done = t + geo_.transfer_ns(lba, sectors);
  return p;
}

void Hdd::kick() {
  if (busy_) return;
  const Time t = now();
  const bool pressure = flush_ != nullptr || !cache_wait_.empty();
  const bool may_destage = !dirty_.empty() && (queue_.empty() || pressure);
  int host = -1, extent = -1;
  if (!sptf_) {
    if (may_destage) {
      extent = 0;
    } else if (!queue_.empty()) {
      host = 0;
    }
  } else {
    // Shortest positioning time first; continuing the read-ahead stream costs nothing.
    Time best = kTimeMax;
    for (size_t i = 0; i < queue_.size(); ++i) {
      const DiskSlot* s = queue_[i];
      const Time ready = ready_time(s);
      Plan p = plan(s->cmd.sector, s->cmd.sectors, s->cmd.op == DiskOp::kWrite, ready);
      Time key = p.stream ? 0 : ready - t + p.positioning;
      if (key < best) {
        best = key;
        host = static_cast<int>(i);
      }
    }
    size_t n = may_destage ? std::min(dirty_.size(), kSptfDestageWindow) : 0;
    for (size_t i = 0; i < n; ++i) {
      Time key = plan(dirty_[i].lba, 1, true, t).positioning;
      if (key < best) {
        best = key;
        extent = static_cast<int>(i);
        host = -1;
      }
    }
  }
  if (extent >= 0) {
    Extent& e = dirty_[static_cast<size_t>(extent)];
    op_ = Extent{e.lba, std::min(e.sectors, kMaxDestageSectors)};
    if (op_.sectors == e.sectors) {
      dirty_.erase(dirty_.begin() + extent);
    } else {
      e.lba += op_.sectors;
      e.sectors -= op_.sectors;
    }
    current_ = nullptr;
    run(plan(op_.lba, op_.sectors, true, t), false);
  } else if (host >= 0) {
    DiskSlot* s = queue_[static_cast<size_t>(host)];
    queue_.erase(queue_.begin() + host);
    current_ = s;
    op_ = Extent{s->cmd.sector, s->cmd.sectors};
    const bool read = s->cmd.op == DiskOp::kRead;
    run(plan(op_.lba, op_.sectors, !read, ready_time(s)), read);
  } else if (flush_ != nullptr && dirty_.empty()) {
    finish_at(std::exchange(flush_, nullptr), t + h_.flush_ns);
  }
}

void Hdd::run(const Plan& p, bool read) {
  busy_ = true;
  const Sector end = op_.lba + op_.sectors;
  if (p.stream) {
    // The head stays on the stream, which reads ahead past this request too.
    stream_cap_ = std::min(std::max(stream_cap_, end + ra_sectors_), capacity_sectors());
  } else {
    stop_stream(now());
    head_track_ = geo_.track(end);
    if (read) {  // the head streams on from the end of this read once it completes
      buf_lo_ = op_.lba;
      buf_hi_ = end;
      stream_lba_ = end;
      stream_t0_ = p.done;
      stream_cap_ = std::min(end + ra_sectors_, capacity_sectors());
      streaming_ = true;
    }
  }
  sim().schedule_at(p.done, &media_done, this, kPrioHigh);
}

void Hdd::media_done(void* self) {
  auto* d = static_cast<Hdd*>(self);
  d->busy_ = false;
  DiskSlot* s = std::exchange(d->current_, nullptr);
  if (s == nullptr) {
    d->dirty_bytes_ -= std::min(d->dirty_bytes_, d->op_.sectors * kSectorBytes);
    while (!d->cache_wait_.empty() &&
           d->dirty_bytes_ + d->cache_wait_.front()->cmd.bytes() <= d->cache_bytes_) {
      d->accept(d->cache_wait_.front());
      d->cache_wait_.erase(d->cache_wait_.begin());
    }
  }
  d->kick();
  if (s != nullptr) d->finish(s);  // last: may re-enter start()
}

}  // namespace mdsim
