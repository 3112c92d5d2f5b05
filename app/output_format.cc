// `mdsim run --output-format`: see output_format.h.
#include "app/output_format.h"

#include "app/json_reader.h"
#include "results/fio_json.h"
#include "results/fio_text.h"

namespace mdsim {

OutputFormats parse_output_formats(const std::string& spec) {
  OutputFormats f;
  size_t start = 0;
  while (true) {
    const size_t comma = spec.find(',', start);
    const std::string item =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item == "normal") {
      f.normal = true;
    } else if (item == "json") {
      f.json = true;
    } else if (item == "json+") {
      f.json_plus = true;
    } else if (item == "terse") {
      throw ConfigError("--output-format " + spec +
                        ": terse (fio's CSV form) is not supported; use normal, json or json+");
    } else {
      throw ConfigError("--output-format " + spec + ": " +
                        (item.empty() ? std::string("empty format name")
                                      : "unknown format \"" + item + "\"") +
                        "; expected a comma-separated list of normal, json and json+");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return f;
}

std::string output_formats_name(const OutputFormats& formats) {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += ",";
    out += name;
  };
  add(formats.normal, "normal");
  add(formats.json, "json");
  add(formats.json_plus, "json+");
  return out;
}

void check_output_formats(const OutputFormats& formats, const std::string& scenario) {
  if (scenario == "fio" || formats == kMdsimJsonFormat) return;
  throw ConfigError("--output-format " + output_formats_name(formats) + ": scenario " +
                    scenario +
                    " writes only mdsim's own JSON (--output-format json); fio's formats "
                    "need scenario fio");
}

std::string render_fio_output(const FioRunResult& run, const OutputFormats& formats,
                              const nlohmann::ordered_json& mdsim) {
  std::string json;
  if (formats.any_json()) {
    json = fio_json_string(run, formats.json_plus ? FioJsonFormat::kJsonPlus : FioJsonFormat::kJson,
                           mdsim);
  }
  if (!formats.normal) return json;
  if (json.empty()) return fio_text(run);
  return fio_preamble(run) + json + fio_text(run, {.preamble = false});
}

}  // namespace mdsim
