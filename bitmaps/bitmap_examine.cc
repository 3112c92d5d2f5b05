// Bitmap image dump: see bitmap_examine.h.
#include "bitmaps/bitmap_examine.h"

#include <cinttypes>
#include <cstdio>
#include <stdexcept>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/llbitmap_image.h"

namespace mdsim {

namespace {

std::string fmt(const char* f, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

std::string uuid_text(const std::array<uint8_t, 16>& u) {
  std::string s;
  for (size_t i = 0; i < u.size(); ++i) {
    if (i > 0 && i % 4 == 0) s += ':';
    s += fmt("%02x", u[i]);
  }
  return s;
}

// "3-4,11,20-27" for the chunks whose predicate holds; at most `limit` ranges, then "...".
template <class Dirty>
std::string ranges(uint64_t chunks, Dirty dirty, int limit = 64) {
  std::string s;
  int n = 0;
  for (uint64_t c = 0; c < chunks;) {
    if (!dirty(c)) {
      ++c;
      continue;
    }
    uint64_t e = c;
    while (e + 1 < chunks && dirty(e + 1)) ++e;
    if (n++ == limit) return s + ",...";
    if (!s.empty()) s += ',';
    s += e == c ? fmt("%" PRIu64, c) : fmt("%" PRIu64 "-%" PRIu64, c, e);
    c = e + 1;
  }
  return s.empty() ? "none" : s;
}

}  // namespace

// llbitmap's version-6 area: chunk size in sectors and a state byte per chunk (sysfs
// llbitmap/bits counts them the same way). A chunk is "dirty" (resynced after a crash) when it
// is Dirty, NeedSync or Syncing.
std::string examine_llbitmap(std::span<const uint8_t> image, const std::string& file) {
  LlbitmapImage im = decode_llbitmap_image(image);
  if (!im.ok()) throw std::invalid_argument(file + ": " + im.error);
  const BitmapSuper& sb = im.sb;
  uint64_t chunks = im.states.size();
  auto needs_sync = [&](uint64_t c) {
    uint8_t st = im.states[c];
    return st == kLlDirty || st == kLlNeedSync || st == kLlSyncing || st >= kLlStateCount;
  };
  uint64_t dirty = 0;
  for (uint64_t c = 0; c < chunks; ++c) dirty += needs_sync(c) ? 1 : 0;
  std::string out;
  out += fmt("        Filename : %s\n", file.c_str());
  out += fmt("           Magic : %08" PRIx32 "\n", sb.magic);
  out += fmt("         Version : %" PRIu32 " (llbitmap)\n", sb.version);
  out += fmt("            UUID : %s\n", uuid_text(sb.uuid).c_str());
  out += fmt("          Events : %" PRIu64 "\n", sb.events);
  out += fmt("       Chunksize : %" PRIu32 " KiB\n", sb.chunksize / 2);
  out += fmt("          Daemon : %" PRIu32 "s flush period\n", sb.daemon_sleep);
  out += fmt("       Sync Size : %" PRIu64 " (%.2f GiB)\n", sb.sync_size / 2,
             static_cast<double>(sb.sync_size) / 2 / 1024 / 1024);
  out += "          States :";
  auto counts = llbitmap_count_states(im.states);
  for (size_t st = 0; st < counts.size(); ++st) {
    if (counts[st] == 0) continue;
    out += fmt(" %s %" PRIu64, llbitmap_state_name(static_cast<uint8_t>(st)), counts[st]);
  }
  out += "\n";
  out += fmt("          Bitmap : %" PRIu64 " chunks, %" PRIu64 " need resync (%.1f%%)\n", chunks,
             dirty, chunks ? 100.0 * static_cast<double>(dirty) / static_cast<double>(chunks) : 0);
  out += "    Dirty chunks : " + ranges(chunks, needs_sync) + "\n";
  return out;
}

std::string examine_bitmap(std::span<const uint8_t> image, const std::string& file) {
  BitmapSuper sb = read_bitmap_super(image);
  if (!sb.ok()) throw std::invalid_argument(file + ": " + sb.error);
  if (sb.version == kLlbitmapVersion) return examine_llbitmap(image, file);
  if (sb.version != kBitmapVersion && sb.version != 3) {
    throw std::invalid_argument(file + ": bitmap version " + std::to_string(sb.version) +
                                " is not readable by this build");
  }
  std::span<const uint8_t> bits = bitmap_image_bits(image);
  uint64_t chunks = sb.chunks();
  uint64_t dirty = count_dirty_bits(bits, chunks);
  std::string out;
  out += fmt("        Filename : %s\n", file.c_str());
  out += fmt("           Magic : %08" PRIx32 "\n", sb.magic);
  out += fmt("         Version : %" PRIu32 "\n", sb.version);
  out += fmt("            UUID : %s\n", uuid_text(sb.uuid).c_str());
  out += fmt("          Events : %" PRIu64 "\n", sb.events);
  out += fmt("  Events Cleared : %" PRIu64 "\n", sb.events_cleared);
  out += fmt("           State : %s\n", (sb.state & 2) ? "Out of date" : "OK");
  out += fmt("       Chunksize : %" PRIu32 " KiB\n", sb.chunksize / 1024);
  out += fmt("          Daemon : %" PRIu32 "s flush period\n", sb.daemon_sleep);
  out += fmt("      Write Mode : %s\n", sb.write_behind ? "Allow write behind" : "Normal");
  out += fmt("       Sync Size : %" PRIu64 " (%.2f GiB)\n", sb.sync_size / 2,
             static_cast<double>(sb.sync_size) / 2 / 1024 / 1024);
  out += fmt("          Bitmap : %" PRIu64 " bits (chunks), %" PRIu64 " dirty (%.1f%%)\n", chunks,
             dirty, chunks ? 100.0 * static_cast<double>(dirty) / static_cast<double>(chunks) : 0);
  out += "    Dirty chunks : " + ranges(chunks, [&](uint64_t c) { return bitmap_bit(bits, c); }) +
         "\n";
  return out;
}

}  // namespace mdsim
