// conflist.h: executes a CNI network configuration list the way libcni does
// (github.com/containernetworking/cni libcni): ADD runs the plugins in order, each getting the
// previous plugin's result as "prevResult"; CHECK runs them in order and DEL in reverse, each
// with the ADD result as "prevResult"; every plugin gets the list's "name" and "cniVersion" and,
// for each capability it declares ("capabilities": {"portMappings": true}), the runtime's
// value under "runtimeConfig". A failed ADD is undone with a DEL of the whole list (reverse
// order), as the spec asks of runtimes. GC and STATUS (1.1.0) run every plugin.
//
// It keeps no cache on disk (libcni's /var/lib/cni/results): the caller keeps the ADD result.
// Thread-compatible; a runner has no mutable state, so concurrent calls are fine.
#ifndef ROMANA_CNI_CONFLIST_H_
#define ROMANA_CNI_CONFLIST_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "cni/names.h"
#include "nlohmann/json.hpp"

namespace romana::cni {

struct RuntimeConf {
  std::string container_id;
  std::string netns;   // path
  std::string ifname = "eth0";
  std::vector<std::pair<std::string, std::string>> args;  // CNI_ARGS pairs
  std::map<std::string, nlohmann::json> capability_args;   // e.g. "portMappings": [...]
};

struct ConflistOptions {
  std::string conflist_json;            // {"cniVersion", "name", "plugins": [...]}
  std::vector<std::string> plugin_dirs; // searched in order for each "type"; also CNI_PATH
  std::string runtime_netns;            // run plugins in this netns ("" = the caller's)
};

class ConflistRunner {
 public:
  // Errors: InvalidArgument naming the field when the list is malformed; NotFound when a
  // plugin type is in none of plugin_dirs.
  static absl::StatusOr<std::unique_ptr<ConflistRunner>> Create(ConflistOptions options);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }

  // Returns the last plugin's result. On failure every plugin got a DEL and the error names the
  // failing plugin and its CNI error: "ADD portmap: [11] ...".
  absl::StatusOr<nlohmann::json> Add(const RuntimeConf& rt) const;
  absl::Status Check(const RuntimeConf& rt, const nlohmann::json& add_result) const;
  // `add_result` may be null (not available).
  absl::Status Del(const RuntimeConf& rt, const nlohmann::json& add_result) const;
  absl::Status Gc(const std::vector<Attachment>& valid) const;
  absl::Status Status() const;

 private:
  ConflistRunner() = default;
  nlohmann::json PluginConf(size_t i, const RuntimeConf* rt, const nlohmann::json& prev) const;
  absl::StatusOr<nlohmann::json> Run(size_t i, const std::string& command, const RuntimeConf* rt,
                                     const nlohmann::json& conf) const;

  ConflistOptions options_;
  std::string name_, version_;
  std::vector<nlohmann::json> plugins_;
  std::vector<std::string> binaries_;
};

}  // namespace romana::cni

#endif  // ROMANA_CNI_CONFLIST_H_
