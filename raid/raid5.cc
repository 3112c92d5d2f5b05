// raid4/5/6 request path: make_request, chunk-aligned reads, the stripe walk, stripe_head
// setup and bio attachment. See raid5.h.
#include "raid/raid5.h"

#include <algorithm>
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
  const Sector per_stripe = geo_.stripe_data_sectors();
  const Sector start = *offset / per_stripe * per_stripe;
  const Sector end = (*offset + *sectors + per_stripe - 1) / per_stripe * per_stripe;
  *offset = raid5_compute_sector(geo_, start).member_sector;
  *sectors = raid5_compute_sector(geo_, end).member_sector - *offset;
}

Task<MdCompletion> Raid5::make_request(Cpu& cpu, const DiskRequest& bio) {
  if (bio.op == DiskOp::kDiscard) {
    const Time t = md().sim().now();
    co_return MdCompletion{IoResult{IoStatus::kNotSupported, t, t}, &cpu};
  }
  if (bio.op == DiskOp::kRead) co_return co_await read_request(cpu, bio);
  co_return co_await stripe_request(cpu, bio, /*write=*/true);
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

Task<MdCompletion> Raid5::stripe_request(Cpu& cpu, const DiskRequest& bio, bool write) {
  const Time t0 = md().sim().now();
  R5HostBio hb(md().sim());
  hb.req = bio;
  const Sector first = bio.sector & ~(kRaid5StripeSectors - 1);
  const Sector last = bio.sector + bio.sectors;
  const size_t units = (last - first + kRaid5StripeSectors - 1) / kRaid5StripeSectors;
  std::vector<bool> todo(units, true);  // ctx->sectors_to_do
  size_t left = units;
  size_t s = (lowest_chunk_sector(bio) - first) / kRaid5StripeSectors;
  std::vector<StripeHead*> plug;  // the submitter's raid5_plug_cb list
  while (left > 0) {
    while (!todo[s]) s = (s + 1) % units;  // find_next_bit_wrap
    const Raid5Location loc = raid5_compute_sector(geo_, first + s * kRaid5StripeSectors);
    StripeHead* sh = co_await get_active_stripe(cpu, raid5_stripe_head_sector(loc), plug);
    // add_all_stripe_bios: every block of this stripe_head the bio covers.
    for (int d = 0; d < disks_; ++d) {
      if (d == sh->pd_idx || d == sh->qd_idx) continue;
      const Sector ds = sh->dev[static_cast<size_t>(d)].sector;
      if (ds < first || ds >= last) continue;
      const size_t u = (ds - first) / kRaid5StripeSectors;
      if (!todo[u]) {
        std::fprintf(stderr, "mdsim: internal error: raid5 unit %zu added twice\n", u);
        std::abort();
      }
      todo[u] = false;
      --left;
      cpu.charge(md().costs().stripe_add, md().kinds().pers);
      co_await add_stripe_bio(cpu, *sh, d, hb, write);
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

Task<StripeHead*> Raid5::get_active_stripe(Cpu& cpu, Sector sector,
                                           std::vector<StripeHead*>& plug) {
  const int hash = Raid5StripeCache::hash_of(sector);
  for (;;) {
    if (StripeHead* sh = cache_.find_get(sector)) co_return sh;
    if (StripeHead* sh = cache_.get_free(hash)) {
      init_stripe(*sh, sector, cpu.id());
      sh->count = 1;
      co_return sh;
    }
    // Sleeping: schedule() flushes the submitter's plug (raid5_unplug) first.
    co_await cpu.settle();
    unplug(plug);
    cpu.release();
    co_await cache_.wait_for_stripe(hash);
    co_await cpu.acquire(md().kinds().pers);
  }
}

void Raid5::init_stripe(StripeHead& sh, Sector sector, int cpu) {
  sh.stripe = sector / geo_.chunk_sectors;
  const Raid5Parity p = raid5_stripe_parity(geo_, sh.stripe);
  sh.pd_idx = p.pd_idx;
  sh.qd_idx = p.qd_idx;
  sh.cpu = cpu;
  sh.group = -1;
  sh.handle = sh.bit_delay = sh.preread_active = sh.active = sh.full_write = false;
  sh.on_release_list = false;
  sh.bm_seq = 0;
  sh.bitmap_pending = 0;
  sh.overwrite_disks = 0;
  sh.reconstruct = R5Reconstruct::kIdle;
  const Sector offset = sector % geo_.chunk_sectors;
  for (int i = 0; i < disks_; ++i) {
    R5Dev& d = sh.dev[static_cast<size_t>(i)];
    if (!d.towrite.empty() || !d.written.empty() || !d.toread.empty()) {
      std::fprintf(stderr, "mdsim: internal error: raid5 stripe %llu reused with bios\n",
                   static_cast<unsigned long long>(sh.sector));
      std::abort();
    }
    d.write_mask = 0;
    d.uptodate = d.locked = d.overwrite = false;
    d.want_read = d.want_write = d.want_compute = d.want_drain = d.want_fill = false;
    d.towrite_bitmap = d.written_bitmap = false;
    const Raid5MemberRole role = raid5_member_role(geo_, sh.stripe, i);
    d.sector = 0;  // raid5_compute_blocknr, for data blocks
    if (role.role == Raid5Role::kData) {
      const Sector chunk =
          sh.stripe * static_cast<Sector>(geo_.data_disks()) + static_cast<Sector>(role.data_index);
      d.sector = chunk * geo_.chunk_sectors + offset;
    }
  }
  cache_.insert(&sh, sector);
}

Task<void> Raid5::add_stripe_bio(Cpu& cpu, StripeHead& sh, int dev, R5HostBio& bio, bool write) {
  R5Dev& d = sh.dev[static_cast<size_t>(dev)];
  const Sector bs = bio.req.sector, be = bio.req.sector + bio.req.sectors;
  const auto lo = static_cast<uint8_t>(std::max(bs, d.sector) - d.sector);
  const auto hi = static_cast<uint8_t>(std::min(be, d.sector + kRaid5StripeSectors) - d.sector);
  ++bio.remaining;  // bio_inc_remaining
  if (!write) {
    d.toread.push_back(R5BioRef{&bio, lo, hi});
    co_return;
  }
  const bool firstwrite = d.towrite.empty();
  d.towrite.push_back(R5BioRef{&bio, lo, hi});
  d.write_mask |= static_cast<uint8_t>(((1u << hi) - 1) & ~((1u << lo) - 1));
  if (d.write_mask == 0xff && !d.overwrite) {  // the page is covered: R5_OVERWRITE
    d.overwrite = true;
    ++sh.overwrite_disks;
  }
  if (!firstwrite || !md().bitmap_enabled()) co_return;
  if (md().hooks_in_personality()) {
    // Before 6.14: startwrite per stripe_head block; STRIPE_BITMAP_PENDING keeps the stripe
    // from being written meanwhile.
    ++sh.bitmap_pending;
    WriteCookie cookie;
    co_await md().bitmap_startwrite(cpu, sh.sector, kRaid5StripeSectors, cookie);
    --sh.bitmap_pending;
    d.towrite_cookie = cookie;
    d.towrite_bitmap = true;
  }
  sh.bm_seq = seq_flush_ + 1;
  sh.bit_delay = true;
}

void Raid5::unplug(std::vector<StripeHead*>& plug) {
  for (StripeHead* sh : plug) release_stripe_locked(*sh);
  plug.clear();
}

}  // namespace mdsim
