// md's on-disk bitmap format: round trip, field offsets, validation, and what Debian's mdadm
// 4.2 (`mdadm --examine-bitmap`) reads from an image we wrote.
#include "bitmaps/bitmap_image.h"
#include "bitmaps/mdadm_testing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <string>

namespace mdsim {
namespace {

BitmapSuper sample() {
  BitmapSuper sb;
  for (int i = 0; i < 16; ++i) sb.uuid[i] = static_cast<uint8_t>(0xa0 + i);
  sb.events = 0x1122334455667788ull;
  sb.events_cleared = 42;
  sb.sync_size = 100ull * (64 << 20) / 512;  // 100 chunks of 64 MiB
  sb.chunksize = 64 << 20;
  sb.daemon_sleep = 5;
  sb.write_behind = 256;
  return sb;
}

std::vector<uint8_t> bits_with(uint64_t chunks, std::initializer_list<uint64_t> set) {
  std::vector<uint8_t> bits((chunks + 7) / 8, 0);
  for (uint64_t c : set) bits[c / 8] |= static_cast<uint8_t>(1u << (c % 8));
  return bits;
}

TEST(BitmapImage, RoundTrip) {
  BitmapSuper sb = sample();
  std::vector<uint8_t> bits = bits_with(sb.chunks(), {0, 7, 8, 63, 99});
  std::vector<uint8_t> img = write_bitmap_image(sb, bits);
  ASSERT_EQ(img.size(), 256u + 13u);
  BitmapSuper r = read_bitmap_super(img);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.magic, kBitmapMagic);
  EXPECT_EQ(r.version, 4u);
  EXPECT_EQ(r.uuid, sb.uuid);
  EXPECT_EQ(r.events, sb.events);
  EXPECT_EQ(r.events_cleared, 42u);
  EXPECT_EQ(r.sync_size, sb.sync_size);
  EXPECT_EQ(r.state, 0u);
  EXPECT_EQ(r.chunksize, 64u << 20);
  EXPECT_EQ(r.daemon_sleep, 5u);
  EXPECT_EQ(r.write_behind, 256u);
  EXPECT_EQ(r.chunks(), 100u);
  std::span<const uint8_t> b = bitmap_image_bits(img);
  EXPECT_TRUE(bitmap_bit(b, 99));
  EXPECT_FALSE(bitmap_bit(b, 98));
  EXPECT_FALSE(bitmap_bit(b, 1000));
  EXPECT_EQ(count_dirty_bits(b, r.chunks()), 5u);
  EXPECT_EQ(count_dirty_bits(b, 63), 3u);  // only the first 63 bits counted
}

TEST(BitmapImage, FieldOffsetsAreLittleEndian) {
  BitmapSuper sb = sample();
  sb.state = 0x04;
  sb.sectors_reserved = 0x01020304;
  sb.nodes = 3;
  sb.cluster_name[0] = 'x';
  std::array<uint8_t, 256> b = encode_bitmap_super(sb);
  EXPECT_EQ(b[0], 0x62);  // "bitm"
  EXPECT_EQ(b[1], 0x69);
  EXPECT_EQ(b[2], 0x74);
  EXPECT_EQ(b[3], 0x6d);
  EXPECT_EQ(b[4], 4);
  EXPECT_EQ(b[8], 0xa0);
  EXPECT_EQ(b[23], 0xaf);
  EXPECT_EQ(b[24], 0x88);  // events, LSB first
  EXPECT_EQ(b[31], 0x11);
  EXPECT_EQ(b[32], 42);
  EXPECT_EQ(b[40], (sb.sync_size) & 0xff);
  EXPECT_EQ(b[41], (sb.sync_size >> 8) & 0xff);
  EXPECT_EQ(b[48], 0x04);
  EXPECT_EQ(b[52 + 3], 0x04);  // 64 MiB = 0x04000000
  EXPECT_EQ(b[56], 5);
  EXPECT_EQ(b[60], 0x00);  // 256 = 0x100
  EXPECT_EQ(b[61], 0x01);
  EXPECT_EQ(b[64], 0x04);
  EXPECT_EQ(b[67], 0x01);
  EXPECT_EQ(b[68], 3);
  EXPECT_EQ(b[72], 'x');
  for (size_t i = 136; i < 256; ++i) EXPECT_EQ(b[i], 0) << i;
}

TEST(BitmapImage, RejectsBadInput) {
  std::vector<uint8_t> img = write_bitmap_image(sample(), {});
  EXPECT_FALSE(read_bitmap_super(std::span<const uint8_t>(img).first(100)).ok());
  std::vector<uint8_t> bad = img;
  bad[0] ^= 1;
  BitmapSuper r = read_bitmap_super(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("magic"), std::string::npos) << r.error;
  bad = img;
  bad[4] = 9;
  r = read_bitmap_super(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("version"), std::string::npos) << r.error;
}

TEST(BitmapImage, MdadmExamineBitmapReadsOurImage) {
  const char* mdadm = "/usr/sbin/mdadm";
  ASSERT_EQ(access(mdadm, X_OK), 0)
      << "mdadm not found at /usr/sbin/mdadm: install Debian's mdadm (apt-get install mdadm) "
         "to check the on-disk format against it";
  BitmapSuper sb = sample();
  sb.sync_size = 1000ull * (64 << 20) / 512;  // 1000 chunks
  std::vector<uint8_t> bits((sb.chunks() + 7) / 8, 0);
  uint64_t dirty = 0;
  for (uint64_t c = 0; c < sb.chunks(); c += 7) {  // a known pattern
    bits[c / 8] |= static_cast<uint8_t>(1u << (c % 8));
    ++dirty;
  }
  std::vector<uint8_t> img = write_bitmap_image(sb, bits);
  ASSERT_EQ(count_dirty_bits(bitmap_image_bits(img), sb.chunks()), dirty);

  std::string out;
  ASSERT_TRUE(testing::mdadm_examine_bitmap(img, &out));
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(out, m, std::regex(R"(Bitmap : (\d+) bits \(chunks\), (\d+) dirty)")))
      << out;
  EXPECT_EQ(std::stoull(m[1]), sb.chunks()) << out;
  EXPECT_EQ(std::stoull(m[2]), dirty) << out;
  EXPECT_NE(out.find("Events Cleared : 42"), std::string::npos) << out;
  EXPECT_NE(out.find("Chunksize : 64 MB"), std::string::npos) << out;
  EXPECT_NE(out.find("UUID : a0a1a2a3:a4a5a6a7:a8a9aaab:acadaeaf"), std::string::npos) << out;
}

}  // namespace
}  // namespace mdsim
