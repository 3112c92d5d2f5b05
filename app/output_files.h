// All-or-nothing output: files are written to temporaries beside their targets and renamed
// into place only when every one of them was written, so a failed run leaves nothing behind.
#pragma once

#include <string>
#include <vector>

namespace mdsim {

class OutputFiles {
 public:
  OutputFiles() = default;
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;
  ~OutputFiles();  // removes temporaries not committed

  // Writes `content` to a temporary for `path`; throws ConfigError if it cannot.
  void stage(const std::string& path, const std::string& content);
  // Renames every staged file into place.
  void commit();

 private:
  std::vector<std::pair<std::string, std::string>> staged_;  // (temporary, target)
};

}  // namespace mdsim
