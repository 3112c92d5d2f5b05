// Strict JSON configuration reading: see json_reader.h.
#include "app/json_reader.h"

#include <algorithm>

#include <cmath>
#include <fstream>
#include <sstream>

namespace mdsim {

namespace {

const char* type_name(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

std::string quoted(const nlohmann::json& v) {
  std::string s = v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    size_t byte = e.byte > 0 ? e.byte - 1 : 0;
    int line = 1, col = 1;
    for (size_t i = 0; i < byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto pos = what.find("syntax error");
    throw ConfigError(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
                      (pos == std::string::npos ? what : what.substr(pos)));
  }
}

nlohmann::json parse_json_file(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_json_text(ss.str(), file);
}

const nlohmann::json& JsonObject::empty_object() {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return kEmpty;
}

JsonObject::JsonObject(const nlohmann::json& j, std::string file, std::string path)
    : j_(&j), file_(std::move(file)), path_(std::move(path)) {
  if (!j.is_object()) {
    throw ConfigError(file_ + ": " + path_ + ": expected an object, got " + type_name(j));
  }
}

std::vector<std::string> JsonObject::keys() const {
  std::vector<std::string> k;
  for (auto it = j_->begin(); it != j_->end(); ++it) k.push_back(it.key());
  return k;
}

void JsonObject::fail(const std::string& key, const std::string& msg) const {
  throw ConfigError(file_ + ": " + path(key) + ": " + msg);
}

const nlohmann::json& JsonObject::value(const char* key) { return j_->at(key); }

void JsonObject::get(const char* key, int64_t& out, int64_t lo, int64_t hi) {
  if (!note(key)) return;
  const auto& v = value(key);
  if (!v.is_number_integer()) fail(key, std::string("expected an integer, got ") + type_name(v));
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                  ", got " + quoted(v));
  }
  int64_t x = v.get<int64_t>();
  if (x < lo || x > hi) {
    fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                  ", got " + std::to_string(x));
  }
  out = x;
}

void JsonObject::get(const char* key, int& out, int lo, int hi) {
  int64_t x = out;
  get(key, x, lo, hi);
  out = static_cast<int>(x);
}

void JsonObject::get(const char* key, uint64_t& out) {
  if (!note(key)) return;
  const auto& v = value(key);
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0)) {
    fail(key, std::string("expected a non-negative integer, got ") +
                  (v.is_number_integer() ? quoted(v) : type_name(v)));
  }
  out = v.get<uint64_t>();
}

void JsonObject::get(const char* key, double& out, double lo, double hi) {
  if (!note(key)) return;
  const auto& v = value(key);
  if (!v.is_number()) fail(key, std::string("expected a number, got ") + type_name(v));
  double x = v.get<double>();
  if (!(x >= lo && x <= hi)) {
    std::ostringstream m;
    m << "must be between " << lo << " and " << hi << ", got " << x;
    fail(key, m.str());
  }
  out = x;
}

void JsonObject::get(const char* key, bool& out) {
  if (!note(key)) return;
  const auto& v = value(key);
  if (!v.is_boolean()) fail(key, std::string("expected true or false, got ") + type_name(v));
  out = v.get<bool>();
}

void JsonObject::get(const char* key, std::string& out) {
  if (!note(key)) return;
  const auto& v = value(key);
  if (!v.is_string()) fail(key, std::string("expected a string, got ") + type_name(v));
  out = v.get<std::string>();
}

void JsonObject::get_enum(const char* key, std::string& out,
                          const std::vector<std::string>& choices) {
  std::string s = out;
  get(key, s);
  for (const auto& c : choices) {
    if (c == s) {
      out = s;
      return;
    }
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  fail(key, "unknown value \"" + s + "\" (expected one of: " + list + ")");
}

void JsonObject::get_int_list(const char* key, std::vector<int>& out, int lo, int hi) {
  if (!note(key)) return;
  const auto& v = value(key);
  if (!v.is_array()) fail(key, std::string("expected a list of integers, got ") + type_name(v));
  std::vector<int> r;
  for (size_t i = 0; i < v.size(); ++i) {
    const auto& e = v[i];
    const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    if (!e.is_number_integer()) fail(at, std::string("expected an integer, got ") + type_name(e));
    int64_t x = e.get<int64_t>();
    if (x < lo || x > hi) {
      fail(at, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                   ", got " + std::to_string(x));
    }
    if (std::find(r.begin(), r.end(), static_cast<int>(x)) != r.end()) {
      fail(at, std::to_string(x) + " is listed twice");
    }
    r.push_back(static_cast<int>(x));
  }
  out = std::move(r);
}

JsonObject JsonObject::child(const char* key) {
  if (!note(key)) return JsonObject(empty_object(), file_, path(key));
  return JsonObject(value(key), file_, path(key));
}

void JsonObject::finish(std::initializer_list<const char*> also_allowed) {
  for (const char* k : also_allowed) known_.insert(k);
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    if (known_.count(it.key()) == 0) {
      std::string known;
      for (const auto& k : known_) known += (known.empty() ? "" : ", ") + k;
      fail(it.key(), "unknown key" + (known.empty() ? std::string() : " (known here: " + known + ")"));
    }
  }
}

}  // namespace mdsim
