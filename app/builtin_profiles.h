// Machine profiles compiled into the binary from profiles/*.json (see app/CMakeLists.txt).
#pragma once

#include <string>
#include <vector>

namespace mdsim {

struct BuiltinProfile {
  const char* name;
  const char* json;
};

const std::vector<BuiltinProfile>& builtin_profiles();

}  // namespace mdsim
