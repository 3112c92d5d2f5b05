// Helpers shared by the sim/ tests.
#pragma once

#include "sim/machine_profile.h"

namespace mdsim::testing {

// The default profile's costs on a machine of the given shape.
inline MachineProfile profile(int sockets, int cores_per_socket) {
  MachineProfile p;
  p.sockets = sockets;
  p.cores_per_socket = cores_per_socket;
  return p;
}

}  // namespace mdsim::testing
