// romanactl -f: YAML (or JSON) manifests converted to JSON.
#include "cli/manifest.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)romana::cli::ReadManifests(romana::fuzz::AsString(data, size));
  return 0;
}
