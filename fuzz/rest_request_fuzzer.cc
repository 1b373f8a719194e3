// romanad's REST request decoders: the bounded JSON parser, then every body decoder (the first
// byte picks one, so the corpus can hold bodies of each route).
#include "api/json_reader.h"
#include "api/types.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t which = data[0];
  absl::StatusOr<nlohmann::json> j = romana::api::ParseJson(romana::fuzz::AsString(data + 1, size - 1));
  if (!j.ok()) return 0;
  namespace api = romana::api;
  switch (which % 6) {
    case 0: (void)api::ParseHostRequest(*j); break;
    case 1: (void)api::ParseAddressRequest(*j); break;
    case 2: (void)api::ParseLabelsRequest(*j); break;
    case 3: (void)api::ParseNamespace(*j, "ns"); break;
    case 4: (void)api::ParseEndpoint(*j, "ns", "ep"); break;
    default: (void)api::ParseNetwork(*j); break;
  }
  return 0;
}
