// A simulated machine's topology and the hardware costs the CPU and lock models charge.
//
// Defaults describe a two-socket Intel Xeon server (see profiles/default.json, which carries the
// same numbers with their sources): cache-line handoff between cores of one socket 45 ns,
// across sockets 120 ns (core-to-core CAS ping-pong medians: 44-51 ns same socket, 108-136 ns
// cross socket on Intel parts), a locked RMW on a line the core already owns 5 ns.
// AMD-style chiplets are described with cores_per_ccx < cores_per_socket and same_ccx_ns.
#pragma once

#include <map>
#include <string>

#include "sim/time.h"

namespace mdsim {

struct MachineProfile {
  std::string name = "default";
  std::string description = "2-socket Intel Xeon class server";
  int sockets = 2;
  int cores_per_socket = 8;
  int cores_per_ccx = 0;  // 0: the whole socket shares one last-level cache
  // Cache-line costs of one atomic read-modify-write, by where the line was last owned.
  Time local_ns = 5;          // already owned by this core
  Time same_ccx_ns = 45;      // another core sharing the last-level cache
  Time same_socket_ns = 45;   // another core of this socket, other CCX
  Time cross_socket_ns = 120; // a core of another socket
  Time first_touch_ns = 80;   // a line no core has touched yet (from memory)
  Time rcu_grace_ns = 20 * kMicrosecond;  // percpu_ref kill -> atomic mode switch
  // CPU time of named kinds of kernel work (filled by later layers: bio submission, md
  // make_request, parity per KiB, ...). Unknown kinds cost 0 and are reported as such.
  std::map<std::string, Time> costs;

  int cores() const { return sockets * cores_per_socket; }
};

}  // namespace mdsim
