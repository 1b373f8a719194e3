// verbs.h (internal to romana::cni): one function per CNI verb, called by RunPlugin once the
// environment and configuration are parsed. Each returns the full outcome; none throws.
#ifndef ROMANA_CNI_VERBS_H_
#define ROMANA_CNI_VERBS_H_

#include <string>

#include "absl/status/status.h"
#include "api/client.h"
#include "cni/config.h"
#include "cni/env.h"
#include "cni/plugin.h"

namespace romana::cni {

struct Invocation {
  CniEnv env;
  NetConf conf;  // node_name filled in
  PodArgs pod;
};

VerbOutcome DoAdd(const Invocation& inv, api::Client& romanad);
VerbOutcome DoDel(const Invocation& inv, api::Client& romanad);
VerbOutcome DoCheck(const Invocation& inv, api::Client& romanad);
VerbOutcome DoGc(const Invocation& inv, api::Client& romanad);
VerbOutcome DoStatus(const Invocation& inv, api::Client& romanad);

// Shared helpers.
VerbOutcome Fail(const Invocation& inv, int code, std::string msg, std::string details = "");
// romanad call failed: Unavailable -> 11 (try again later), anything else -> 100.
VerbOutcome RomanadFailure(const Invocation& inv, const std::string& what, const absl::Status& s);
VerbOutcome DataplaneFailure(const Invocation& inv, const std::string& what, const absl::Status& s);

}  // namespace romana::cni

#endif  // ROMANA_CNI_VERBS_H_
