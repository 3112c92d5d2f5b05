// A human-readable dump of an on-disk bitmap image, laid out like `mdadm --examine-bitmap`
// (superblock fields, then "Bitmap : N bits (chunks), M dirty (x%)"), followed by the dirty
// chunks as index ranges, which mdadm does not print but a crash analysis needs.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace mdsim {

// The dump of `image` (read from `file`, named in the output and in errors). Throws
// std::invalid_argument with "file: reason" if the image is not a bitmap mdsim can read.
std::string examine_bitmap(std::span<const uint8_t> image, const std::string& file);

}  // namespace mdsim
