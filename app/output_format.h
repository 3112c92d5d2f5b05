// `mdsim run --output-format`: fio 3.33's --output-format (HOWTO "--output-format=format", parsed
// in init.c) and what fio prints for each choice (stat.c __show_run_stats).
//
// The value is a comma-separated list of `normal`, `json` and `json+`, as in fio: names are
// case-sensitive, an empty item is an error, repeats and order do not matter, and json+ with
// json prints one json+ document. What fio 3.33 prints for a list holding normal and a JSON
// form (checked against /usr/bin/fio with --output-format=normal,json): the preamble (job
// description lines, "fio-3.33", "Starting N processes"), then the JSON document, then the
// normal report (which opens with a blank line) — whatever the order in the list.
//
// Only the fio scenario writes fio's formats; the other scenarios (lock_loop, bitmap_loop)
// write mdsim's own JSON and accept only `json`. The mdsim section (configuration, lock_stat,
// CPU and array statistics) is part of the JSON forms only; `normal` is fio's text alone.
// Left out: `terse` (fio's CSV form) is refused, and so is fio's client/server output.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "workloads/fio_result.h"

namespace mdsim {

struct OutputFormats {
  bool normal = false;
  bool json = false;
  bool json_plus = false;

  bool any_json() const { return json || json_plus; }
  bool operator==(const OutputFormats&) const = default;
};

// The default of the fio scenario (json+, the most complete document) and of the others.
inline constexpr OutputFormats kFioDefaultFormats{.json_plus = true};
inline constexpr OutputFormats kMdsimJsonFormat{.json = true};

// Parses an --output-format value; a bad one throws ConfigError naming it.
OutputFormats parse_output_formats(const std::string& spec);

// The formats as a canonical list ("normal,json+").
std::string output_formats_name(const OutputFormats& formats);

// Throws ConfigError unless `formats` can be written by `scenario` (fio: anything parsed;
// the others: json only).
void check_output_formats(const OutputFormats& formats, const std::string& scenario);

// A fio run in the chosen formats, laid out as fio 3.33 prints them. `mdsim` goes under the
// JSON document's "mdsim" key (nothing when null); the normal form does not show it.
std::string render_fio_output(const FioRunResult& run, const OutputFormats& formats,
                              const nlohmann::ordered_json& mdsim = nullptr);

}  // namespace mdsim
