// Kubernetes NetworkPolicy objects (romanad's NetworkPolicy routes, the agent's watch).
#include "api/json_reader.h"
#include "fuzz_input.h"
#include "policy/network_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<nlohmann::json> j = romana::api::ParseJson(romana::fuzz::AsString(data, size));
  if (!j.ok()) return 0;
  (void)romana::policy::ParseNetworkPolicy(*j);
  return 0;
}
