// The topology parser (PUT /topology, romanad --initial-network): any input is a TopologySpec or
// an InvalidArgument, never a crash.
#include "fuzz_input.h"
#include "ipam/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)romana::ipam::ParseTopology(romana::fuzz::AsString(data, size));
  return 0;
}
