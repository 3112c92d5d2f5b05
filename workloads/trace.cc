// The entry points shared by the trace formats: see trace.h.
#include "workloads/trace.h"

#include <fstream>
#include <sstream>

namespace mdsim {

Trace parse_trace_text(const std::string& text,
                       const std::function<Trace(std::istream&)>& parse) {
  std::istringstream in(text);
  return parse(in);
}

Trace read_trace_file(const std::string& path, const char* what,
                      const std::function<Trace(std::istream&)>& parse) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(path + ": cannot open " + what);
  return parse(in);
}

}  // namespace mdsim
