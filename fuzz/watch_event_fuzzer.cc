// One line of romanad's watch stream as api::Client decodes it: bounded JSON, then the event.
#include "api/json_reader.h"
#include "api/types.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<nlohmann::json> j = romana::api::ParseJson(romana::fuzz::AsString(data, size));
  if (!j.ok()) return 0;
  (void)romana::api::ParseWatchEvent(*j);
  return 0;
}
