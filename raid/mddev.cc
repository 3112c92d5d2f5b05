// The md array: see mddev.h.
#include "raid/mddev.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "bitmaps/registry.h"
#include "raid/md_resync.h"
#include "raid/member_bitmap_io.h"
#include "sim/join.h"

namespace mdsim {

namespace {

[[noreturn]] void config_bug(const std::string& what) {
  std::fprintf(stderr, "mdsim: internal error: array config: %s\n", what.c_str());
  std::abort();
}

}  // namespace

Mddev::Mddev(Machine& m, const ArrayConfig& cfg, std::vector<std::unique_ptr<Disk>> disks)
    : machine_(&m), cfg_(cfg), costs_(MdCosts::from(m)) {
  kinds_ = Kinds{m.kind("md_request"),   m.kind("md_personality"), m.kind("md_member_submit"),
                 m.kind("md_member_endio"), m.kind("md_bio_endio"),  m.kind("bitmap"),
                 m.kind("bitmap_sync"),  m.kind("bitmap_daemon"),  m.kind("md_raid_thread"),
                 m.kind("md_resync")};
  if (disks.empty()) config_bug("no members");
  if (static_cast<int>(disks.size()) != cfg.raid_disks) config_bug("raid_disks != members given");
  Sector smallest = disks[0]->capacity_sectors();
  for (auto& d : disks) smallest = std::min(smallest, d->capacity_sectors());
  if (smallest <= cfg.data_offset_sectors) config_bug("members smaller than data_offset");
  member_sectors_ = smallest - cfg.data_offset_sectors;
  if (cfg.member_sectors > 0) {
    if (cfg.member_sectors > member_sectors_) config_bug("member_sectors beyond the members");
    member_sectors_ = cfg.member_sectors;
  }
  members_.resize(disks.size());
  for (size_t i = 0; i < disks.size(); ++i) members_[i].disk = std::move(disks[i]);
  for (int i : cfg.write_mostly) {
    if (i < 0 || i >= raid_disks()) config_bug("write_mostly member out of range");
    members_[static_cast<size_t>(i)].write_mostly = true;
  }
  pers_ = make_personality(*this);

  const BitmapVariant* v = find_bitmap_variant(cfg.bitmap);
  if (v == nullptr) config_bug("unknown bitmap variant " + cfg.bitmap);
  BitmapGeometry g;
  g.sync_size = pers_->bitmap_sectors();
  g.chunk_bytes = cfg.bitmap_chunk_bytes;
  g.daemon_sleep = cfg.daemon_sleep;
  g.max_write_behind = cfg.max_write_behind;
  g.raid456 = cfg.level == "raid4" || cfg.level == "raid5" || cfg.level == "raid6";
  bitmap_ = v->make(g, &view_);
  domain_ = std::make_unique<SimSyncDomain>(m, bitmap_->decls());
  for (int i = 0; i < m.num_cpus(); ++i) {
    executors_.push_back(
        std::make_unique<SimExecutor>(*domain_, m.cpu(i), kinds_.bitmap, kinds_.bitmap_sync));
  }
  bitmap_io_ = std::make_unique<MemberBitmapIo>(*this);
  if (cfg.resync.kind != ResyncKind::kNone) {
    if (!pers_->can_sync()) config_bug(std::string(pers_->name()) + " has no resync");
    resync_ = std::make_unique<MdResync>(*this);
  }
}

Mddev::~Mddev() = default;

int Mddev::failed_members() const {
  return static_cast<int>(
      std::count_if(members_.begin(), members_.end(), [](const Member& x) { return x.faulty; }));
}

void Mddev::md_error(int member) {
  Member& x = members_[static_cast<size_t>(member)];
  if (x.faulty) return;
  const Personality::ErrorVerdict v = pers_->error(member, cfg_.fail_last_dev);
  if (v.broken) broken_ = true;  // MD_BROKEN
  if (!v.faulty) return;
  x.faulty = true;
  view_.degraded = true;
  ++view_.events;
}

void Mddev::start() {
  if (started_) return;
  started_ = true;
  if (bitmap_enabled() && cfg_.daemon_sleep > 0) spawn(sim(), daemon());
  if (resync_) spawn(sim(), resync_->run());
}

void Mddev::stop() {
  stopping_ = true;
  if (resync_ && cfg_.resync.stop_with_jobs) resync_->interrupt();
}

void Mddev::prepare(Cpu& cpu, int member, DiskRequest& r) {
  cpu.charge(costs_.member_submit, kinds_.submit);
  if (r.op != DiskOp::kFlush) r.sector += cfg_.data_offset_sectors;
  ++members_[static_cast<size_t>(member)].nr_pending;
  ++stats_.member_ios;
}

Task<void> Mddev::issue(Cpu& cpu, int member, DiskRequest r, DiskIo& io) {
  prepare(cpu, member, r);
  co_await cpu.settle();
  co_await members_[static_cast<size_t>(member)].disk->issue(cpu, r, io);
}

DiskRequest Mddev::IssueBios::prepared(MemberBio& b) {
  DiskRequest r = b.req;
  md_->prepare(*cpu_, b.member, r);
  if (b.group != nullptr) {
    b.group->md_ = md_;
    b.cpu = cpu_;
    b.io.on_complete(&BioGroup::delivered, &b);
  }
  return r;
}

bool Mddev::IssueBios::run() {
  // Bio after bio: prepare (member_submit charged), settle, the disk's issue.
  while (next_ < bios_.size()) {
    MemberBio& b = bios_[next_];
    disk_ = md_->member(b.member).disk->issue(*cpu_, prepared(b), b.io);
    const Time owed = cpu_->commit_owed();
    if (owed > 0) {
      Simulator& sim = md_->sim();
      sim.schedule_at(sim.now() + owed, &IssueBios::settled, this);
      return false;
    }
    if (!disk_.await_ready()) {
      disk_.start_then(&IssueBios::submitted, this);
      return false;
    }
    ++next_;
  }
  return true;
}

void Mddev::IssueBios::go_on() {
  ++next_;
  if (run()) waiter_.resume();
}

void Mddev::IssueBios::settled(void* self) {
  auto* s = static_cast<IssueBios*>(self);
  if (!s->disk_.await_ready()) {
    s->disk_.start_then(&IssueBios::submitted, s);
    return;
  }
  s->go_on();
}

void Mddev::IssueBios::submitted(void* self) { static_cast<IssueBios*>(self)->go_on(); }

void Mddev::end_member_io(Cpu& cpu, int member, const IoResult& r, bool fail_member) {
  cpu.charge(costs_.member_endio, kinds_.endio);
  --members_[static_cast<size_t>(member)].nr_pending;
  if (r.status == IoStatus::kError && fail_member) md_error(member);
}

Task<IoResult> Mddev::complete(Cpu& cpu, int member, DiskIo& io) {
  IoResult r = co_await io;
  co_await cpu.acquire(kinds_.endio, /*irq=*/true);
  end_member_io(cpu, member, r);
  co_return r;
}

Task<MdCompletion> Mddev::fan_out(Cpu& cpu, std::span<MemberBio> bios) {
  if (bios.empty()) {  // nothing to write to (every member Faulty): fail on the spot
    const Time t = sim().now();
    co_return MdCompletion{IoResult{IoStatus::kError, t, t}, &cpu};
  }
  BioGroup g;
  for (MemberBio& b : bios) g.add(b);
  co_await issue(cpu, bios);
  cpu.release();
  co_return co_await g;
}

Task<IoResult> Mddev::flush_members(Cpu& cpu) {
  // md_flush_request (6.12): an empty PREFLUSH bio to every member not Faulty, waited for.
  int n = 0;
  for (int m = 0; m < raid_disks(); ++m) n += members_[static_cast<size_t>(m)].faulty ? 0 : 1;
  std::vector<MemberBio> flush(static_cast<size_t>(n));
  int k = 0;
  for (int m = 0; m < raid_disks(); ++m) {
    if (members_[static_cast<size_t>(m)].faulty) continue;
    MemberBio& b = flush[static_cast<size_t>(k++)];
    b.member = m;
    b.req.op = DiskOp::kFlush;
    b.req.preflush = true;
  }
  if (n == 0) {  // every member Faulty: fail on the spot, still on the submitter
    const Time t = sim().now();
    co_return IoResult{IoStatus::kError, t, t};
  }
  MdCompletion c = co_await fan_out(cpu, flush);
  // Back on the submitting core for the data part (md_flush_request continues the bio from
  // the flush's end_io via a work item; modelled as the submitter carrying on).
  co_await c.cpu->settle();
  c.cpu->release();
  co_await cpu.acquire(kinds_.md);
  co_return c.result;
}

Task<IoResult> Mddev::submit(Cpu& cpu, DiskRequest bio) {
  const Time t0 = sim().now();
  cpu.charge(costs_.md_request, kinds_.md);
  if (bio.op == DiskOp::kFlush || bio.preflush) {
    IoResult fr = co_await flush_members(cpu);
    if (bio.op == DiskOp::kFlush) {
      cpu.charge(costs_.bio_endio, kinds_.bio_endio);
      co_await cpu.settle();
      cpu.release();
      ++stats_.flushes;
      if (!fr.ok()) ++stats_.errors;
      fr.submitted = t0;
      fr.completed = sim().now();
      co_return fr;
    }
    bio.preflush = false;
  }
  const bool write = bio.op == DiskOp::kWrite || bio.op == DiskOp::kDiscard;
  if (write && broken_) [[unlikely]] {  // md_submit_bio: MD_BROKEN fails writes at once
    co_await cpu.settle();
    cpu.release();
    ++stats_.errors;
    co_return IoResult{IoStatus::kError, t0, sim().now()};
  }
  const bool hook = write && bitmap_enabled() && cfg_.hooks == HookPlacement::kMdCore &&
                    !pers_->counts_bitmap_pieces();
  WriteCookie cookie;
  Sector boff = bio.sector;
  uint64_t bsec = bio.sectors;
  if (hook) {
    pers_->bitmap_sector(&boff, &bsec);
    co_await bitmap_startwrite(cpu, boff, bsec, cookie);  // md_clone_bio -> md_bitmap_start
  }
  MdCompletion c = co_await pers_->make_request(cpu, bio);
  if (hook) co_await bitmap_endwrite(*c.cpu, boff, bsec, cookie);  // md_end_clone_io
  c.cpu->charge(costs_.bio_endio, kinds_.bio_endio);
  co_await c.cpu->settle();
  c.cpu->release();
  switch (bio.op) {
    case DiskOp::kRead: ++stats_.reads; break;
    case DiskOp::kWrite: ++stats_.writes; break;
    case DiskOp::kDiscard: ++stats_.discards; break;
    case DiskOp::kFlush: break;
  }
  if (!c.result.ok()) ++stats_.errors;
  c.result.submitted = t0;
  c.result.completed = sim().now();
  co_return c.result;
}

}  // namespace mdsim
