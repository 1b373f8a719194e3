// cni_install.h: installs the CNI plugin binary and the network configuration list on the node.
//
// Both files are written atomically: the content goes to a temporary file in the same directory,
// is fsync'ed, and is then renamed over the target, so a container runtime never reads a
// half-written config or executes a half-copied binary ("text file busy" cannot happen either).
// An existing config that belongs to another network (a different "name", or not JSON) is never
// overwritten unless `force` is set. Unchanged files are not rewritten. Thread-compatible.
#ifndef ROMANA_AGENT_CNI_INSTALL_H_
#define ROMANA_AGENT_CNI_INSTALL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::agent {

struct CniInstallOptions {
  std::string plugin_source;                      // REQUIRED: the built plugin binary to copy
  std::string bin_dir = "/opt/cni/bin";           // where the runtime looks for plugins
  std::string plugin_name = "romana";             // installed as <bin_dir>/<plugin_name>
  std::string conf_dir = "/etc/cni/net.d";
  std::string conf_file = "10-romana.conflist";
  std::string network_name = "romana-k8s-network";
  std::string cni_version = "1.0.0";
  nlohmann::json plugin_config = nlohmann::json::object();  // extra keys of our plugin entry
  bool chain_portmap = true;                      // append {"type":"portmap","capabilities":{"portMappings":true}}
  bool force = false;                             // overwrite another network's config
};

// The conflist JSON the options describe. Pure.
nlohmann::json RenderConflist(const CniInstallOptions& options);

struct CniInstallResult {
  bool binary_written = false;
  bool config_written = false;
};

// Installs both files. Errors: InvalidArgument for missing/odd options (names the option);
// FailedPrecondition when the config file belongs to another network and !force; NotFound when
// plugin_source is missing; Internal for I/O errors. On error no target file has been changed
// (temporaries are removed), except that the binary may already be installed when the config
// write fails (installing the binary alone is harmless).
absl::StatusOr<CniInstallResult> InstallCni(const CniInstallOptions& options);

// Writes `content` to `path` atomically (temp file in the same dir + fsync + rename), with `mode`.
absl::Status WriteFileAtomically(const std::string& path, const std::string& content, int mode);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_CNI_INSTALL_H_
