// The lines fio 3.33 prints before running a job file (init.c add_job, backend.c
// run_threads): one description per job with its group, rw, block sizes, ioengine and
// iodepth ("..." once for the clones of numjobs, recognised as consecutive jobs with the same
// name and options), the version line and "Starting N processes". Values come from the job's
// options, else the global ones, else fio's defaults (rw=read, bs=4k, ioengine=psync,
// iodepth=1); a block size that is not a plain size with a k/m/g/t/p suffix is shown as given.
#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <vector>

#include "results/fio_text.h"

namespace mdsim {

namespace {

// A job option, else the global one, else `fallback` (a later occurrence wins, as in fio).
std::string option(const FioRunResult& run, const FioJobResult& job, const char* key,
                   const char* fallback) {
  for (const FioOptions* opts : {&job.options, &run.global_options}) {
    for (auto it = opts->rbegin(); it != opts->rend(); ++it) {
      if (it->first == key) return it->second;
    }
  }
  return fallback;
}

// A block size as fio prints it ("4096B", "64.0KiB"); unparsable text is shown as given.
std::string size_str(const std::string& text) {
  size_t pos = 0;
  uint64_t v = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    v = v * 10 + static_cast<uint64_t>(text[pos++] - '0');
  }
  if (pos == 0) return text;
  static constexpr std::string_view kPrefixes = "kmgtp";
  if (pos < text.size()) {
    const size_t shift = kPrefixes.find(static_cast<char>(std::tolower(text[pos])));
    if (shift != std::string_view::npos) {
      v <<= 10 * (shift + 1);
      ++pos;
      if (pos < text.size() && (text[pos] == 'i' || text[pos] == 'I')) ++pos;
    }
    if (pos < text.size() && (text[pos] == 'b' || text[pos] == 'B')) ++pos;
  }
  return pos == text.size() ? fio_num2str(v, 4, 1, true, FioUnit::kByte) : text;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// "(R) a-b, (W) c-d, (T) e-f" from bsrange, else bs; missing entries repeat the last one.
std::string block_sizes(const FioRunResult& run, const FioJobResult& job) {
  const std::string range = option(run, job, "bsrange", "");
  const std::vector<std::string> parts =
      split(range.empty() ? option(run, job, "bs", "4k") : range, ',');
  std::string out;
  static constexpr std::array<const char*, kFioDdirs> kTags = {"(R) ", ", (W) ", ", (T) "};
  for (size_t d = 0; d < kFioDdirs; ++d) {
    std::string p = parts[std::min(d, parts.size() - 1)];
    if (p.empty()) p = "4k";
    const size_t dash = range.empty() ? std::string::npos : p.find('-');
    const std::string lo = dash == std::string::npos ? p : p.substr(0, dash);
    const std::string hi = dash == std::string::npos ? p : p.substr(dash + 1);
    out += kTags[d] + size_str(lo) + "-" + size_str(hi);
  }
  return out;
}

}  // namespace

std::string fio_preamble(const FioRunResult& run) {
  std::string out;
  int threads = 0;
  int processes = 0;
  int clone = 0;
  for (size_t i = 0; i < run.jobs.size(); ++i) {
    const FioJobResult& job = run.jobs[i];
    const bool same =
        i > 0 && run.jobs[i - 1].name == job.name && run.jobs[i - 1].options == job.options;
    clone = same ? clone + 1 : 0;
    (option(run, job, "thread", "0") != "0" ? threads : processes)++;
    if (clone == 1) out += "...\n";
    if (clone != 0) continue;
    std::string rw =
        split(option(run, job, "rw", option(run, job, "readwrite", "read").c_str()), ':')[0];
    if (rw == "readwrite") rw = "rw";
    out += job.name + ": (g=" + std::to_string(job.groupid) + "): rw=" + rw +
           ", bs=" + block_sizes(run, job) + ", ioengine=" + option(run, job, "ioengine", "psync") +
           ", iodepth=" + option(run, job, "iodepth", "1") + "\n";
  }
  out += run.fio_version + "\n";
  out += "Starting ";
  if (threads != 0) out += std::to_string(threads) + (threads > 1 ? " threads" : " thread");
  if (processes != 0) {
    if (threads != 0) out += " and ";
    out += std::to_string(processes) + (processes > 1 ? " processes" : " process");
  }
  out += "\n";
  return out;
}

}  // namespace mdsim
