// Debian's fio_jsonplus_clat2csv (fio 3.33's tools/fio_jsonplus_clat2csv) reads our json+
// output: the CSV it writes for every job must list exactly our histograms' bins (bin value,
// count, running count, fraction), and its --validate mode must accept the files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "results/fio_json.h"

namespace mdsim {
namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kScript = "/usr/bin/fio_jsonplus_clat2csv";

// Latencies from 20 ns to ~17 s, roughly log-uniform, from a fixed seed.
void fill(LatencyHistogram& h, std::mt19937_64& rng, int n) {
  for (int i = 0; i < n; ++i) {
    const uint64_t x = rng();
    const int octave = 4 + static_cast<int>(x % 31);
    const uint64_t base = uint64_t{1} << octave;
    h.add(static_cast<Time>(base + (x >> 32) % base));
  }
}

FioRunResult sample_run() {
  std::mt19937_64 rng(42);
  FioRunResult run;
  for (int j = 0; j < 2; ++j) {
    FioJobResult job;
    job.name = "job" + std::to_string(j);
    job.slat_percentiles = job.lat_percentiles = true;  // bins for slat, clat and lat
    for (FioDdir d : {FioDdir::kRead, FioDdir::kWrite}) {
      if (j == 1 && d == FioDdir::kRead) continue;  // job1 only writes: no read bins at all
      FioDirStats& s = job.dir(d);
      fill(s.slat, rng, 500);
      fill(s.clat, rng, 3000);
      fill(s.lat, rng, 3000);
      s.total_ios = 3000;
      s.io_bytes = 3000 * 4096;
      s.runtime = kSecond;
    }
    job.sync_ios = 10;
    fill(job.sync_lat, rng, 10);  // the script ignores "sync"
    run.jobs.push_back(job);
  }
  return run;
}

struct Cell {
  uint64_t count;
  uint64_t cumulative;
  double fraction;
};

// column name ("read_clat_ns") -> rows in file order as (nsec, cell).
using Columns = std::map<std::string, std::vector<std::pair<uint64_t, Cell>>>;

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) {
    const size_t b = field.find_first_not_of(' ');
    out.push_back(b == std::string::npos ? "" : field.substr(b));
  }
  return out;
}

Columns read_csv(const std::filesystem::path& path, std::vector<uint64_t>& row_nsec) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header = split_csv(line);
  if (!header.empty() && header.back().empty()) header.pop_back();  // the line ends in ", "
  EXPECT_EQ(header.size(), 1u + 27u) << path;  // nsec + 9 (dir, lat) columns x 3
  Columns cols;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(' ') == std::string::npos) continue;
    const std::vector<std::string> f = split_csv(line);
    const uint64_t nsec = std::stoull(f[0]);
    row_nsec.push_back(nsec);
    for (size_t c = 1; c + 2 < header.size() && c + 2 < f.size(); c += 3) {
      if (f[c].empty()) continue;
      const std::string name = header[c].substr(0, header[c].size() - std::string("_count").size());
      cols[name].push_back({nsec, {std::stoull(f[c]), std::stoull(f[c + 1]), std::stod(f[c + 2])}});
    }
  }
  return cols;
}

TEST(FioJsonPlus, DebianClat2csvReadsOurBins) {
  if (access(kPython, X_OK) != 0 || access(kScript, R_OK) != 0) {
    GTEST_SKIP() << "needs " << kPython << " and " << kScript << " (Debian package fio)";
  }
  char tmpl[] = "/tmp/mdsim_clat2csv_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const FioRunResult run = sample_run();
  {
    std::ofstream out(dir / "run.json");
    out << fio_json_string(run, FioJsonFormat::kJsonPlus, {{"note", "ignored by fio tools"}});
  }
  std::ostringstream cmd;
  cmd << kPython << " " << kScript << " " << (dir / "run.json").string() << " "
      << (dir / "lat.csv").string();
  std::ostringstream log;
  log << " > " << (dir / "log.txt").string() << " 2>&1";
  ASSERT_EQ(std::system((cmd.str() + log.str()).c_str()), 0)
      << std::ifstream(dir / "log.txt").rdbuf();
  cmd << " --validate";  // rebuilds "bins" from the CSV and compares them with the JSON
  ASSERT_EQ(std::system((cmd.str() + log.str()).c_str()), 0)
      << std::ifstream(dir / "log.txt").rdbuf();

  for (size_t j = 0; j < run.jobs.size(); ++j) {
    SCOPED_TRACE("job " + std::to_string(j));
    std::vector<uint64_t> rows;
    const Columns cols = read_csv(dir / ("lat_job" + std::to_string(j) + ".csv"), rows);
    ASSERT_FALSE(rows.empty());
    for (size_t i = 1; i < rows.size(); ++i) EXPECT_LT(rows[i - 1], rows[i]);  // sorted, unique
    for (size_t d = 0; d < kFioDdirs; ++d) {
      const FioDirStats& s = run.jobs[j].dirs[d];
      const std::pair<const char*, const LatencyHistogram*> lats[] = {
          {"slat_ns", &s.slat}, {"clat_ns", &s.clat}, {"lat_ns", &s.lat}};
      for (const auto& [lat, h] : lats) {
        const std::string name = std::string(kFioDdirNames[d]) + "_" + lat;
        const auto it = cols.find(name);
        if (h->empty()) {
          EXPECT_EQ(it, cols.end()) << name;
          continue;
        }
        ASSERT_NE(it, cols.end()) << name;
        const auto bins = h->nonempty_bins();
        ASSERT_EQ(it->second.size(), bins.size()) << name;
        uint64_t running = 0;
        for (size_t b = 0; b < bins.size(); ++b) {
          running += bins[b].second;
          EXPECT_EQ(it->second[b].first, bins[b].first) << name;
          EXPECT_EQ(it->second[b].second.count, bins[b].second) << name;
          EXPECT_EQ(it->second[b].second.cumulative, running) << name;
          EXPECT_NEAR(it->second[b].second.fraction,
                      static_cast<double>(running) / static_cast<double>(h->count()), 1e-9);
        }
        EXPECT_EQ(running, h->count());
      }
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mdsim
