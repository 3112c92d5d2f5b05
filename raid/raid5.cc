// raid4/5/6 request path: make_request, chunk-aligned reads, the stripe walk, stripe_head
// setup and bio attachment. See raid5.h.
#include "raid/raid5.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "raid/mddev.h"

namespace mdsim {

namespace {

[[noreturn]] void config_bug(const std::string& what) {
  std::fprintf(stderr, "mdsim: internal error: raid5 config: %s\n", what.c_str());
  std::abort();
}

Raid5Geometry geometry_from(const ArrayConfig& cfg) {
  Raid5Geometry g;
  g.level = cfg.level == "raid4" ? 4 : cfg.level == "raid6" ? 6 : cfg.level == "raid5" ? 5 : 0;
  if (g.level == 0) config_bug("level " + cfg.level);
  g.raid_disks = cfg.raid_disks;
  g.chunk_sectors = cfg.chunk_bytes / kSectorBytes;
  if (g.level == 4) {
    g.algorithm = Raid5Algorithm::kParityN;  // md ignores the layout of raid4
  } else if (!cfg.layout.empty()) {
    auto a = parse_raid5_algorithm(g.level, cfg.layout);
    if (!a) config_bug("layout " + cfg.layout + " for " + cfg.level);
    g.algorithm = *a;
  }
  const std::string why = g.validate();
  if (!why.empty()) config_bug(why);
  return g;
}

}  // namespace

Raid5::Raid5(Mddev& md)
    : Personality(md),
      geo_(geometry_from(md.config())),
      disks_(md.config().raid_disks),
      rmw_level_(md.config().rmw_level),
      chunk_shift_(std::countr_zero(geo_.chunk_sectors)),
      cache_(md.sim(), md.config().stripe_cache_size, md.config().raid_disks) {
  if (rmw_level_ < kParityDisableRmw || rmw_level_ > kParityPreferRmw) config_bug("rmw_level");
  if (md.config().group_thread_cnt < 0) config_bug("group_thread_cnt");
  Machine& m = md.machine();
  kinds_ = Kinds{m.kind("raid5_handle_stripe"), m.kind("raid5_parity"), m.kind("raid5_copy")};
  raid5d_ = std::make_unique<Thread>(md.sim(), *this, 0);
  spawn(md.sim(), raid5d());
  if (md.config().group_thread_cnt > 0) {
    const int groups = m.profile().sockets;  // worker groups per NUMA node (cpu_to_group)
    group_lists_ = std::vector<R5StripeList>(static_cast<size_t>(groups));
    workers_.resize(static_cast<size_t>(groups));
    for (int g = 0; g < groups; ++g) {
      for (int w = 0; w < md.config().group_thread_cnt; ++w) {
        workers_[static_cast<size_t>(g)].push_back(
            std::make_unique<Thread>(md.sim(), *this, g * m.profile().cores_per_socket));
        spawn(md.sim(), worker(*workers_[static_cast<size_t>(g)].back(), g));
      }
    }
  }
}

Raid5::~Raid5() = default;

const char* Raid5::name() const {
  return geo_.level == 4 ? "raid4" : geo_.level == 6 ? "raid6" : "raid5";
}

Sector Raid5::array_sectors() const { return geo_.array_sectors(md().member_sectors()); }

Sector Raid5::bitmap_sectors() const {
  return md().member_sectors() / geo_.chunk_sectors * geo_.chunk_sectors;
}

void Raid5::bitmap_sector(Sector* offset, uint64_t* sectors) const {
  // A whole stripe s starts at array sector s * per_stripe and member sector s * chunk.
  const Sector per_stripe = geo_.stripe_data_sectors();
  const Sector first = *offset / per_stripe;
  const Sector end = (*offset + *sectors + per_stripe - 1) / per_stripe;
  *offset = first * geo_.chunk_sectors;
  *sectors = (end - first) * geo_.chunk_sectors;
}

Personality::ErrorVerdict Raid5::error(int member, bool fail_last_dev) {
  (void)member;
  (void)fail_last_dev;
  ErrorVerdict v;
  v.broken = md().failed_members() + 1 > geo_.max_degraded();
  return v;
}

Task<MdCompletion> Raid5::make_request(Cpu& cpu, const DiskRequest& bio) {
  if (bio.op == DiskOp::kDiscard) return discard_request(cpu);
  if (bio.op == DiskOp::kRead) return read_request(cpu, bio);
  return stripe_request(cpu, bio, /*write=*/true);
}

Task<MdCompletion> Raid5::discard_request(Cpu& cpu) {
  const Time t = md().sim().now();
  co_return MdCompletion{IoResult{IoStatus::kNotSupported, t, t}, &cpu};
}

Task<MdCompletion> Raid5::read_request(Cpu& cpu, const DiskRequest& bio) {
  if (md().degraded()) {  // "better not do chunk aligned read": reconstruct through the cache
    ++stats_.stripe_reads;
    co_return co_await stripe_request(cpu, bio, /*write=*/false);
  }
  // chunk_aligned_read: split at chunk boundaries, each piece straight to its member.
  const Sector chunk = geo_.chunk_sectors;
  const Sector end = bio.sector + bio.sectors;
  size_t n = 0;
  for (Sector s = bio.sector; s < end; s = (s / chunk + 1) * chunk) ++n;
  std::vector<MemberBio> pieces(n);
  size_t k = 0;
  for (Sector s = bio.sector; s < end; s = (s / chunk + 1) * chunk) {
    const Sector e = std::min(end, (s / chunk + 1) * chunk);
    const Raid5Location loc = raid5_compute_sector(geo_, s);
    MemberBio& b = pieces[k++];
    b.member = loc.dd_idx;
    b.req = DiskRequest{DiskOp::kRead, loc.member_sector, static_cast<uint32_t>(e - s)};
  }
  stats_.aligned_reads += n;
  MdCompletion c = co_await md().fan_out(cpu, pieces);
  const bool all_ok =
      std::all_of(pieces.begin(), pieces.end(), [](const MemberBio& b) { return b.result.ok(); });
  if (all_ok) {
    c.result.status = IoStatus::kOk;
    co_return c;
  }
  // raid5_align_endio -> retry_aligned_read: the member is Faulty now; read the bio again
  // through the stripe cache (the model redoes the whole bio from the submitter).
  co_await c.cpu->settle();
  c.cpu->release();
  co_await cpu.acquire(md().kinds().pers);
  ++stats_.stripe_reads;
  co_return co_await stripe_request(cpu, bio, /*write=*/false);
}

Sector Raid5::lowest_chunk_sector(const DiskRequest& bio) const {
  // raid5_bio_lowest_chunk_sector: if the bio runs into the next data chunk of the same
  // stripe, start there, where its chunk offset is lowest.
  const Sector chunk = geo_.chunk_sectors;
  const Sector r_sector = bio.sector & ~(kRaid5StripeSectors - 1);
  const Raid5Location loc = raid5_compute_sector(geo_, r_sector);
  const Sector chunk_offset = loc.member_sector % chunk;
  if (chunk - chunk_offset >= bio.sectors) return r_sector;
  int dd_idx = loc.dd_idx + 1;
  while (dd_idx == loc.parity.pd_idx || dd_idx == loc.parity.qd_idx) ++dd_idx;
  if (dd_idx >= geo_.raid_disks) return r_sector;
  return r_sector + chunk - chunk_offset;
}

namespace {

// ctx->sectors_to_do: one bit per stripe unit of the bio.
class UnitSet {
 public:
  explicit UnitSet(size_t n) {
    if (n > kInline * 64) more_.assign((n + 63) / 64, 0);
    for (size_t u = 0; u < n; ++u) words()[u / 64] |= uint64_t{1} << (u % 64);
  }
  bool test(size_t u) const { return (words()[u / 64] >> (u % 64) & 1) != 0; }
  void reset(size_t u) { words()[u / 64] &= ~(uint64_t{1} << (u % 64)); }

 private:
  static constexpr size_t kInline = 4;
  uint64_t* words() { return more_.empty() ? inline_ : more_.data(); }
  const uint64_t* words() const { return more_.empty() ? inline_ : more_.data(); }
  uint64_t inline_[kInline] = {};
  std::vector<uint64_t> more_;
};

}  // namespace

Task<MdCompletion> Raid5::stripe_request(Cpu& cpu, const DiskRequest& bio, bool write) {
  const Time t0 = md().sim().now();
  R5HostBio hb(md().sim());
  hb.req = bio;
  const Sector first = bio.sector & ~(kRaid5StripeSectors - 1);
  const Sector last = bio.sector + bio.sectors;
  const size_t units = (last - first + kRaid5StripeSectors - 1) / kRaid5StripeSectors;
  UnitSet todo(units);  // ctx->sectors_to_do
  size_t left = units;
  size_t s = units == 1 ? 0 : (lowest_chunk_sector(bio) - first) / kRaid5StripeSectors;
  R5SubmitPlug plug;  // the submitter's raid5_plug_cb list
  while (left > 0) {
    while (!todo.test(s)) s = (s + 1) % units;  // find_next_bit_wrap
    const Raid5Location loc = raid5_compute_sector(geo_, first + s * kRaid5StripeSectors);
    const Sector sector = raid5_stripe_head_sector(loc);
    StripeHead* sh = get_stripe_now(cpu, sector);
    while (sh == nullptr) {  // raid5_get_active_stripe sleeping, inline
      const int hash = Raid5StripeCache::hash_of(sector);
      if (cache_.block(hash)) {
        // Sleeping: schedule() flushes the submitter's plug (raid5_unplug) first.
        co_await cpu.settle();
        unplug(plug);
        cpu.release();
        co_await cache_.sleep(hash, &cpu, md().kinds().pers);  // back on `cpu`
      }
      // R5_INACTIVE_BLOCKED cleared by this caller: its list has a stripe_head now.
      sh = get_stripe_now(cpu, sector);
      if (sh != nullptr) cache_.unblocked();
    }
    // add_all_stripe_bios: every block of this stripe_head the bio covers.
    for (int d = 0; d < disks_; ++d) {
      if (d == sh->pd_idx || d == sh->qd_idx) continue;
      const Sector ds = sh->dev[static_cast<size_t>(d)].sector;
      if (ds < first || ds >= last) continue;
      const size_t u = (ds - first) / kRaid5StripeSectors;
      if (!todo.test(u)) {
        std::fprintf(stderr, "mdsim: internal error: raid5 unit %zu added twice\n", u);
        std::abort();
      }
      todo.reset(u);
      --left;
      cpu.charge(md().costs().stripe_add, md().kinds().pers);
      if (add_stripe_bio(*sh, d, hb, write)) co_await personality_startwrite(cpu, *sh, d);
    }
    sh->handle = true;
    sh->preread_active = true;  // REQ_SYNC (O_DIRECT)
    plug.push_back(sh);         // release_stripe_plug
  }
  co_await cpu.settle();  // the stripes become visible to raid5d once our work is done
  unplug(plug);           // blk_finish_plug -> raid5_unplug
  IoResult res{IoStatus::kOk, t0, t0};
  if (--hb.remaining == 0) {  // every unit ended already: bio_endio here
    res.status = hb.failed ? IoStatus::kError : IoStatus::kOk;
    res.completed = md().sim().now();
    co_return MdCompletion{res, &cpu};
  }
  cpu.release();
  co_await hb.done;
  // bio_endio ran inside the handle_stripe that ended the last unit: md core's completion work
  // runs on that core, ahead of the thread's next stripe.
  co_await hb.cpu->acquire(md().kinds().bio_endio, /*irq=*/true);
  res.status = hb.failed ? IoStatus::kError : IoStatus::kOk;
  res.completed = md().sim().now();
  co_return MdCompletion{res, hb.cpu};
}

void Raid5::unplug(R5SubmitPlug& plug) {
  plug.for_each([this](StripeHead* sh) { release_stripe_locked(*sh); });
  plug.clear();
}

}  // namespace mdsim
