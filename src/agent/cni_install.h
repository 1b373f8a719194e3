// cni_install.h: installs the CNI plugin binary and the network configuration list on the node.
//
// In two steps, because the config is what tells the runtime (and kubelet: "network ready") that
// pods can be made: InstallCniPlugin copies the binary (and the token and CA) at start-up;
// WriteCniConfig writes the conflist only once the agent is ready (romana-agent: registered and
// synced), and RemoveCniConfig takes it away again (--cni-uninstall).
// Every file is written atomically: the content goes to a temporary file in the same directory
// (named <file>.tmp.<pid>, an extension no runtime loads), is fsync'ed, and is then renamed over
// the target, so a container runtime never reads a half-written config or executes a
// half-copied binary ("text file busy" cannot happen either).
// An existing config that belongs to another network (a different "name", or not JSON) is never
// removed, nor overwritten unless `force` is set. Unchanged files are not rewritten.
// Thread-compatible.
//
// The plugin runs on the host, not in the agent's container: every path written into the
// conflist must be a host path. So the romanad token and CA the agent was given (container
// paths: a mounted Secret) are copied next to the config, into <conf_dir>/romana/ (directory
// 0700, files 0600, atomically), and the conflist names them by their host path,
// <host_conf_dir>/romana/token and .../ca.crt, where host_conf_dir is conf_dir as the host sees
// it (the agent's container mounts the host's /etc/cni/net.d at /host/etc/cni/net.d).
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
  // Bearer token and CA bundle for romanad, to install on the host for the plugin ("" = none).
  std::string token_source;
  std::string ca_source;
  // conf_dir as the container runtime on the host sees it; "" = conf_dir (the agent runs on the
  // host's file system).
  std::string host_conf_dir;
};

// Where the installed token and CA live, inside the conf dir.
inline constexpr char kCniSecretDir[] = "romana";
inline constexpr char kCniTokenFile[] = "token";
inline constexpr char kCniCaFile[] = "ca.crt";

// The conflist JSON the options describe: plugin_config, plus romanad_token_file and
// romanad_ca_file (host paths) when token_source and ca_source are set. Pure.
nlohmann::json RenderConflist(const CniInstallOptions& options);

struct CniInstallResult {
  bool binary_written = false;
  bool secrets_written = false;  // the token or the CA was (re)written
};

// Installs the binary and the token and CA (when set), and checks that the config can be written
// later (so a foreign config fails the start-up, not the first sync); never touches the config.
// Errors: InvalidArgument for missing/odd options (names the option; a token file that holds no
// token); FailedPrecondition when the config file belongs to another network and !force;
// NotFound when plugin_source, token_source or ca_source is missing; Internal for I/O errors.
// On a FailedPrecondition or InvalidArgument nothing was written; on an I/O error some of the
// files may be installed (harmless without the config).
absl::StatusOr<CniInstallResult> InstallCniPlugin(const CniInstallOptions& options);

// Writes the conflist; returns whether it was (re)written (false: it already held exactly this).
// REQUIRES: InstallCniPlugin(options) succeeded, so the files the config names are there.
// Errors: InvalidArgument for odd options; FailedPrecondition when the file belongs to another
// network and !force; Internal for I/O errors. On error the config is unchanged.
absl::StatusOr<bool> WriteCniConfig(const CniInstallOptions& options);

// Removes the conflist when it is ours (its "name" is network_name); returns whether it removed
// it. An absent file, or another network's (even with `force`), is left alone (false). The binary, token
// and CA stay: a runtime that still holds the config can tear its pods down.
// Errors: Internal for I/O errors.
absl::StatusOr<bool> RemoveCniConfig(const CniInstallOptions& options);

// Writes `content` to `path` atomically (temp file in the same dir + fsync + rename + fsync of
// the dir), with `mode`.
absl::Status WriteFileAtomically(const std::string& path, const std::string& content, int mode);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_CNI_INSTALL_H_
