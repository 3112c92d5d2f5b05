// All-or-nothing output files: see output_files.h.
#include "app/output_files.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "app/json_reader.h"

namespace mdsim {

OutputFiles::~OutputFiles() {
  for (const auto& [tmp, target] : staged_) std::remove(tmp.c_str());
}

void OutputFiles::stage(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) throw ConfigError(path + ": cannot create output file");
  staged_.push_back({tmp, path});
  out << content;
  out.close();
  if (!out) throw ConfigError(path + ": cannot write output file");
}

void OutputFiles::commit() {
  for (const auto& [tmp, target] : staged_) {
    if (std::rename(tmp.c_str(), target.c_str()) != 0) {
      throw ConfigError(target + ": cannot move output into place");
    }
  }
  staged_.clear();
}

}  // namespace mdsim
