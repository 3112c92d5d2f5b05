// fio job-file text layer: see fio_jobfile.h.
#include "workloads/fio_jobfile.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mdsim {

namespace {

constexpr int kMaxIncludeDepth = 16;

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

[[noreturn]] void fail(const std::string& file, int line, const std::string& msg) {
  throw FioJobError(file + ":" + std::to_string(line) + ": " + msg);
}

std::string expand_env(const std::string& s, const FioEnv& env, const std::string& file, int line) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 2, "${") != 0) {
      out += s[i++];
      continue;
    }
    size_t close = s.find('}', i + 2);
    if (close == std::string::npos) fail(file, line, "unterminated ${ in \"" + s + "\"");
    std::string name = s.substr(i + 2, close - i - 2);
    std::optional<std::string> v = env(name);
    if (!v) fail(file, line, "environment variable " + name + " is not set");
    out += *v;
    i = close + 1;
  }
  return out;
}

std::string read_file(const std::string& path, const std::string& from, int line) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (from.empty()) throw FioJobError(path + ": cannot open job file");
    fail(from, line, "cannot open included file " + path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Reader {
  const FioEnv& env;
  std::vector<FioSection> sections;

  void parse(const std::string& text, const std::string& file, int depth) {
    std::istringstream in(text);
    std::string raw;
    int line = 0;
    while (std::getline(in, raw)) {
      ++line;
      // Comments: a '#' or ';' ends the useful part of any line.
      size_t c = raw.find_first_of("#;");
      std::string s = trim(expand_env(trim(raw.substr(0, c)), env, file, line));
      if (s.empty()) continue;
      if (s.front() == '[') {
        if (s.back() != ']') fail(file, line, "section header without ']': " + s);
        std::string name = trim(s.substr(1, s.size() - 2));
        if (name.empty()) fail(file, line, "empty section name");
        sections.push_back(FioSection{name, file, line, {}});
        continue;
      }
      if (s.compare(0, 8, "include ") == 0 || s.compare(0, 8, "include\t") == 0) {
        include(trim(s.substr(8)), file, line, depth);
        continue;
      }
      if (sections.empty()) fail(file, line, "option <" + s + "> outside of [] job section");
      FioOption o;
      size_t eq = s.find('=');
      o.name = trim(s.substr(0, eq));
      if (eq != std::string::npos) {
        o.value = trim(s.substr(eq + 1));
        o.has_value = true;
      }
      if (o.name.empty()) fail(file, line, "option without a name: " + s);
      o.file = file;
      o.line = line;
      sections.back().options.push_back(std::move(o));
    }
  }

  void include(const std::string& name, const std::string& file, int line, int depth) {
    if (name.empty()) fail(file, line, "include without a file name");
    if (depth >= kMaxIncludeDepth) {
      fail(file, line,
           "includes nested more than " + std::to_string(kMaxIncludeDepth) + " deep (a cycle?)");
    }
    std::filesystem::path p(name);
    if (p.is_relative()) p = std::filesystem::path(file).parent_path() / p;
    parse(read_file(p.string(), file, line), p.string(), depth + 1);
  }
};

}  // namespace

FioEnv process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::vector<FioSection> parse_fio_jobfile(const std::string& text, const std::string& file,
                                          const FioEnv& env) {
  Reader r{env, {}};
  r.parse(text, file, 0);
  return std::move(r.sections);
}

std::vector<FioSection> read_fio_jobfile(const std::string& path, const FioEnv& env) {
  return parse_fio_jobfile(read_file(path, "", 0), path, env);
}

}  // namespace mdsim
