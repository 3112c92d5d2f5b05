// Strict reading of JSON configuration: every value is checked for type and range, every
// unknown key is an error, and every message names the file and the JSON path
// ("run.json: $.machine.cores: must be between 1 and 4096, got 0").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mdsim {

// Bad input. The message is complete and user-facing; main() prints it and exits with 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses JSON text; syntax errors name file:line:column.
nlohmann::json parse_json_text(const std::string& text, const std::string& file);
// Reads and parses a file; a missing or unreadable file is a ConfigError.
nlohmann::json parse_json_file(const std::string& file);

// One JSON object under a path. Getters leave `out` untouched when the key is absent (so
// in-class defaults stand) and throw ConfigError on a wrong type or range.
class JsonObject {
 public:
  JsonObject(const nlohmann::json& j, std::string file, std::string path);

  bool has(const char* key) const { return j_->contains(key); }
  // Every key present, in document order (for maps with free-form keys).
  std::vector<std::string> keys() const;
  std::string path(const std::string& key) const { return path_ + "." + key; }
  [[noreturn]] void fail(const std::string& key, const std::string& msg) const;

  void get(const char* key, int64_t& out, int64_t lo, int64_t hi);
  void get(const char* key, int& out, int lo, int hi);
  void get(const char* key, uint64_t& out);
  void get(const char* key, double& out, double lo, double hi);
  void get(const char* key, bool& out);
  void get(const char* key, std::string& out);
  // A string that must be one of `choices`.
  void get_enum(const char* key, std::string& out, const std::vector<std::string>& choices);
  // A list of integers, each in [lo, hi], distinct (absent: `out` untouched).
  void get_int_list(const char* key, std::vector<int>& out, int lo, int hi);
  // A nested object (absent: an empty object, so its defaults stand).
  JsonObject child(const char* key);

  // Rejects every key no getter asked for and not named in `also_allowed`.
  void finish(std::initializer_list<const char*> also_allowed = {});

 private:
  const nlohmann::json& value(const char* key);
  // Records `key` as known here and says whether it is present.
  bool note(const char* key) {
    known_.insert(key);
    return has(key);
  }
  static const nlohmann::json& empty_object();

  const nlohmann::json* j_;
  std::string file_;
  std::string path_;
  std::set<std::string> known_;  // every key a getter asked for
};

}  // namespace mdsim
