// Romana's JSON policy (POST /policies): the request decoder (bounded JSON) and the parser plus
// validator.
#include "api/json_reader.h"
#include "fuzz_input.h"
#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<nlohmann::json> j = romana::api::ParseJson(romana::fuzz::AsString(data, size));
  if (!j.ok()) return 0;
  (void)romana::policy::ParseAndValidate(*j);
  return 0;
}
