// mdsim: the command-line program. See `mdsim --help`.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

#include "app/builtin_profiles.h"
#include "bitmaps/bitmap_examine.h"
#include "bitmaps/bitmap_loop.h"
#include "bitmaps/registry.h"
#include "app/output_files.h"
#include "app/output_format.h"
#include "app/run.h"
#include "app/run_config.h"
#include "sim/lock_loop.h"

namespace mdsim {
namespace {

constexpr const char* kUsage = R"(usage: mdsim <command> [options]

Discrete-event simulator of Linux md software RAID and its write-intent bitmaps.

commands:
  run CONFIG.json [-o RESULT] [--output-format FMT] [--lock-stat FILE] [--bitmap-image FILE]
      [--mdsim-json FILE] [--quiet]
        Run one simulation. CONFIG may be '-' for standard input. The result goes to RESULT,
        or to standard output without -o. Its format (--output-format): for scenario fio,
        fio 3.33's forms `json+` (the default), `json`, `normal` (fio's text report), or a
        comma-separated list such as `normal,json+` (laid out as fio prints it: preamble,
        JSON, text); the JSON forms carry an extra "mdsim" section (configuration, lock_stat,
        CPU and array statistics), the text does not. The other scenarios write mdsim's own
        JSON (`json` only). --mdsim-json also writes the "mdsim" section alone as JSON.
        --lock-stat writes the locks' statistics in /proc/lock_stat format; --bitmap-image
        the bitmap as persisted on the members at the end of the run (or at
        bitmap_loop.crash_at_ns), in md's on-disk format (llbitmap: its version-6 layout),
        for bitmap_loop and for fio on an array with a bitmap. Wall time and event rate go
        to standard error unless --quiet. Outputs appear only if the whole run succeeds.
  examine-bitmap IMAGE
        Print a bitmap image like `mdadm --examine-bitmap`, plus its dirty chunks.
  resolve CONFIG.json
        Check a configuration and print it fully resolved (every default filled in).
  list  List scenarios, lock kinds and built-in machine profiles.

options:
  -h, --help      this text
  --version       version and build id

exit status: 0 success, 2 bad input (config, arguments), 1 internal error.
)";

[[noreturn]] void usage_error(const std::string& msg) {
  throw ConfigError(msg + " (see mdsim --help)");
}

nlohmann::json read_config(const std::string& path) {
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    return parse_json_text(ss.str(), "<stdin>");
  }
  return parse_json_file(path);
}

// The message for --bitmap-image on a run that has no bitmap.
std::string no_bitmap_reason(const RunConfig& config) {
  if (config.scenario == "fio") {
    return "this fio run's array has none (array.bitmap \"" + config.array.bitmap + "\")";
  }
  return "this " + config.scenario + " run has none";
}

int cmd_run(const std::vector<std::string>& args) {
  std::string config_path, out_path, lock_stat_path, image_path, mdsim_json_path;
  std::optional<OutputFormats> formats;
  bool quiet = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag, const char* what = "a file name") -> std::string {
      if (i + 1 >= args.size()) usage_error(std::string(flag) + " needs " + what);
      return args[++i];
    };
    if (a == "-o" || a == "--output") {
      out_path = value("-o");
    } else if (a == "--lock-stat") {
      lock_stat_path = value("--lock-stat");
    } else if (a == "--bitmap-image") {
      image_path = value("--bitmap-image");
    } else if (a == "--mdsim-json") {
      mdsim_json_path = value("--mdsim-json");
    } else if (a == "--output-format" || a.starts_with("--output-format=")) {
      std::string spec = a == "--output-format" ? value("--output-format", "a format list")
                                                : a.substr(std::strlen("--output-format="));
      try {
        formats = parse_output_formats(spec);
      } catch (const ConfigError& e) {
        usage_error(std::string("run: ") + e.what());
      }
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a.size() > 1 && a[0] == '-') {
      usage_error("run: unknown option " + a);
    } else if (config_path.empty()) {
      config_path = a;
    } else {
      usage_error("run: more than one config file given");
    }
  }
  if (config_path.empty()) usage_error("run: no config file given");
  std::string name = config_path == "-" ? "<stdin>" : config_path;
  RunConfig config = parse_run_config(read_config(config_path), name);
  if (formats) {
    try {
      check_output_formats(*formats, config.scenario);
    } catch (const ConfigError& e) {
      throw ConfigError(name + ": " + e.what());
    }
  } else {
    formats = config.scenario == "fio" ? kFioDefaultFormats : kMdsimJsonFormat;
  }

  auto t0 = std::chrono::steady_clock::now();
  RunOutput out = run_simulation(config);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (!image_path.empty()) {
    if (!out.has_bitmap_image) {
      usage_error("run: --bitmap-image needs a scenario with a bitmap (bitmap_loop, or fio on "
                  "an array with one); " + no_bitmap_reason(config));
    }
    if (out.bitmap_image.empty()) {
      const std::string& variant =
          config.scenario == "fio" ? config.array.bitmap : config.bitmap_loop.variant;
      throw ConfigError(name + ": --bitmap-image: bitmap variant \"" + variant +
                        "\" has no on-disk bitmap");
    }
  }
  std::string result = out.fio ? render_fio_output(*out.fio, *formats, out.mdsim)
                               : out.result.dump(2) + "\n";
  OutputFiles files;
  if (!out_path.empty()) files.stage(out_path, result);
  if (!lock_stat_path.empty()) files.stage(lock_stat_path, out.lock_stat_text);
  if (!mdsim_json_path.empty()) files.stage(mdsim_json_path, out.mdsim.dump(2) + "\n");
  if (!image_path.empty()) {
    files.stage(image_path, std::string(out.bitmap_image.begin(), out.bitmap_image.end()));
  }
  files.commit();
  if (out_path.empty()) std::cout << result;
  if (!quiet) {
    std::fprintf(stderr, "mdsim: %s: %llu events in %.3f s wall (%.2f M events/s)\n",
                 name.c_str(), static_cast<unsigned long long>(out.events), secs,
                 secs > 0 ? static_cast<double>(out.events) / secs / 1e6 : 0.0);
  }
  return 0;
}

int cmd_resolve(const std::vector<std::string>& args) {
  if (args.size() != 1) usage_error("resolve: expects exactly one config file");
  std::string name = args[0] == "-" ? "<stdin>" : args[0];
  RunConfig config = parse_run_config(read_config(args[0]), name);
  std::cout << to_json(config).dump(2) << "\n";
  return 0;
}

int cmd_examine_bitmap(const std::vector<std::string>& args) {
  if (args.size() != 1) usage_error("examine-bitmap: expects exactly one image file");
  std::ifstream in(args[0], std::ios::binary);
  if (!in) throw ConfigError(args[0] + ": cannot open");
  std::vector<uint8_t> image((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  try {
    std::cout << examine_bitmap(image, args[0]);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  return 0;
}

int cmd_list() {
  std::cout << "scenarios:\n";
  for (const auto& s : scenario_names()) std::cout << "  " << s << "\n";
  std::cout << "lock_loop locks:\n";
  for (const auto& s : lock_loop_kinds()) std::cout << "  " << s << "\n";
  std::cout << "bitmap variants (bitmap_loop.variant):\n";
  for (const BitmapVariant& v : bitmap_variants()) {
    std::cout << "  " << v.name << ": " << v.description << "\n";
  }
  std::cout << "bitmap_loop patterns:\n";
  for (const auto& s : bitmap_loop_patterns()) std::cout << "  " << s << "\n";
  std::cout << "machine profiles:\n";
  for (const BuiltinProfile& p : builtin_profiles()) {
    MachineProfile mp = load_machine_profile(p.name, "<builtin>", "$");
    std::cout << "  " << p.name << ": " << mp.description << " (" << mp.sockets << "x"
              << mp.cores_per_socket << " cores)\n";
  }
  return 0;
}

int dispatch(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) usage_error("no command given");
  const std::string cmd = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "mdsim " << mdsim_version() << " (build " << mdsim_build_id() << ")\n";
    return 0;
  }
  if (cmd == "run") return cmd_run(rest);
  if (cmd == "resolve") return cmd_resolve(rest);
  if (cmd == "examine-bitmap") return cmd_examine_bitmap(rest);
  if (cmd == "list") {
    if (!rest.empty()) usage_error("list: takes no arguments");
    return cmd_list();
  }
  usage_error("unknown command \"" + cmd + "\"");
}

}  // namespace
}  // namespace mdsim

int main(int argc, char** argv) {
  try {
    return mdsim::dispatch(argc, argv);
  } catch (const mdsim::ConfigError& e) {
    std::fprintf(stderr, "mdsim: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mdsim: internal error: %s\n", e.what());
    return 1;
  }
}
