// The text layer of fio job files (fio 3.33 init.c parse_jobs_ini, as observed with
// `fio --parse-only`): sections and their options, each remembered with its file and line,
// before any option is interpreted.
//
//   - `[name]` starts a section; `[global]` sections hold defaults for the jobs after them.
//   - `name=value` or a bare `name` (a flag such as `time_based`); spaces around '=' are
//     dropped. Whole-line comments start with '#' or ';', and so do trailing comments
//     (`bs=4k # note` is bs=4k).
//   - `include FILE` reads FILE (relative to the including file's directory) in place.
//   - `${VAR}` is replaced by the environment variable's value; an unset variable is an error
//     (fio leaves the text unexpanded and then fails to parse the option).
//   - An option before the first section is an error, as in fio.
//
// Errors are FioJobError with "file:line: message".
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mdsim {

class FioJobError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FioOption {
  std::string name;
  std::string value;  // empty for a bare flag
  bool has_value = false;
  std::string file;
  int line = 0;
  std::string where() const { return file + ":" + std::to_string(line); }
};

struct FioSection {
  std::string name;  // "global" or the job's name
  std::string file;
  int line = 0;
  std::vector<FioOption> options;
  bool is_global() const { return name == "global"; }
};

// Looks an environment variable up (std::getenv by default; tests pass their own).
using FioEnv = std::function<std::optional<std::string>(const std::string&)>;
FioEnv process_env();

// Reads a job file (includes resolved) into its sections, in order.
std::vector<FioSection> read_fio_jobfile(const std::string& path, const FioEnv& env = process_env());
// The same from text; `file` names it in errors and anchors relative includes.
std::vector<FioSection> parse_fio_jobfile(const std::string& text, const std::string& file,
                                          const FioEnv& env = process_env());

}  // namespace mdsim
