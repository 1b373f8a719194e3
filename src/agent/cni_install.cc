#include "agent/cni_install.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/token_file.h"
#include "spdlog/spdlog.h"

namespace romana::agent {
namespace fs = std::filesystem;

namespace {

std::string SecretPath(const std::string& conf_dir, const char* file) {
  return (fs::path(conf_dir) / kCniSecretDir / file).string();
}

}  // namespace

nlohmann::json RenderConflist(const CniInstallOptions& options) {
  nlohmann::json plugin = options.plugin_config;
  const std::string& host_dir = options.host_conf_dir.empty() ? options.conf_dir : options.host_conf_dir;
  if (!options.token_source.empty()) plugin["romanad_token_file"] = SecretPath(host_dir, kCniTokenFile);
  if (!options.ca_source.empty()) plugin["romanad_ca_file"] = SecretPath(host_dir, kCniCaFile);
  plugin["type"] = options.plugin_name;
  nlohmann::json plugins = nlohmann::json::array({plugin});
  if (options.chain_portmap) {
    plugins.push_back({{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}});
  }
  return {{"cniVersion", options.cni_version}, {"name", options.network_name}, {"plugins", plugins}};
}

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ErrnoText(const std::string& what, const std::string& path) {
  return absl::StrCat(what, " ", path, ": ", std::strerror(errno));
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& content, int mode) {
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return absl::InternalError(ErrnoText("cannot create", tmp));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string err = ErrnoText("cannot write", tmp);
      close(fd);
      unlink(tmp.c_str());
      return absl::InternalError(err);
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd, mode) != 0 || fsync(fd) != 0) {
    std::string err = ErrnoText("cannot chmod/fsync", tmp);
    close(fd);
    unlink(tmp.c_str());
    return absl::InternalError(err);
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = ErrnoText("cannot rename into", path);
    unlink(tmp.c_str());
    return absl::InternalError(err);
  }
  // The rename is atomic already; syncing the directory makes it survive a power loss too.
  const std::string dir = fs::path(path).parent_path().empty() ? "." : fs::path(path).parent_path().string();
  if (int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return absl::OkStatus();
}

namespace {

// The checks of the options both steps use.
absl::Status CheckConfigOptions(const CniInstallOptions& o) {
  if (o.conf_file.empty() || o.conf_file.find('/') != std::string::npos ||
      !o.conf_file.ends_with(".conflist")) {
    return absl::InvalidArgumentError("--cni-conf-file: must be a plain file name ending in .conflist");
  }
  if (o.network_name.empty()) return absl::InvalidArgumentError("--cni-network-name: must be set");
  std::error_code ec;
  if (!fs::is_directory(o.conf_dir, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("--cni-conf-dir: ", o.conf_dir, " is not a directory"));
  }
  return absl::OkStatus();
}

std::string ConfPath(const CniInstallOptions& o) { return (fs::path(o.conf_dir) / o.conf_file).string(); }

std::string RenderedConf(const CniInstallOptions& o) { return RenderConflist(o).dump(2) + "\n"; }

// The config file as it is: absent, ours, or another network's.
enum class ConfOwner { kAbsent, kOurs, kOther };
struct ExistingConf {
  ConfOwner owner = ConfOwner::kAbsent;
  std::string content;
  std::string name;  // its "name"; "" when it has none or is not JSON
};

ExistingConf ReadExistingConf(const CniInstallOptions& o) {
  ExistingConf e;
  absl::StatusOr<std::string> existing = ReadFile(ConfPath(o));
  if (!existing.ok()) return e;
  e.content = *std::move(existing);
  nlohmann::json parsed = nlohmann::json::parse(e.content, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("name") && parsed["name"].is_string()) e.name = parsed["name"];
  e.owner = e.name == o.network_name ? ConfOwner::kOurs : ConfOwner::kOther;
  return e;
}

// FailedPrecondition when `e` is another network's config and !force.
absl::Status CheckMayReplace(const CniInstallOptions& o, const ExistingConf& e) {
  if (e.owner != ConfOwner::kOther || o.force) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      ConfPath(o), " holds the config of another network ('", e.name.empty() ? "<unparsable>" : e.name,
      "'); refusing to overwrite it (use --force-cni-config)"));
}

}  // namespace

absl::StatusOr<CniInstallResult> InstallCniPlugin(const CniInstallOptions& o) {
  if (o.plugin_source.empty()) return absl::InvalidArgumentError("--cni-plugin: must be set");
  if (o.plugin_name.empty() || o.plugin_name.find('/') != std::string::npos) {
    return absl::InvalidArgumentError("--cni-plugin-name: must be a plain file name");
  }
  if (absl::Status s = CheckConfigOptions(o); !s.ok()) return s;
  std::error_code ec;
  if (!fs::is_directory(o.bin_dir, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("--cni-bin-dir: ", o.bin_dir, " is not a directory"));
  }
  absl::StatusOr<std::string> binary = ReadFile(o.plugin_source);
  if (!binary.ok()) {
    return absl::NotFoundError(absl::StrCat("--cni-plugin: cannot read ", o.plugin_source));
  }
  // What goes into <conf_dir>/romana/: the token (one way of reading it everywhere) and the CA.
  std::vector<std::pair<std::string, std::string>> secrets;  // host file name, content
  if (!o.token_source.empty()) {
    absl::StatusOr<std::string> token = base::ReadTokenFile(o.token_source);
    if (!token.ok()) return absl::Status(token.status().code(), absl::StrCat("--romanad-token-file: ", token.status().message()));
    secrets.emplace_back(kCniTokenFile, *token + "\n");
  }
  if (!o.ca_source.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(o.ca_source);
    if (!ca.ok()) return absl::NotFoundError(absl::StrCat("--romanad-ca-file: cannot read ", o.ca_source));
    secrets.emplace_back(kCniCaFile, *ca);
  }
  // A config we may not replace later fails now, before anything is installed.
  if (absl::Status s = CheckMayReplace(o, ReadExistingConf(o)); !s.ok()) return s;

  CniInstallResult result;
  const std::string bin_path = (fs::path(o.bin_dir) / o.plugin_name).string();
  absl::StatusOr<std::string> installed = ReadFile(bin_path);
  if (!installed.ok() || *installed != *binary) {
    if (absl::Status s = WriteFileAtomically(bin_path, *binary, 0755); !s.ok()) return s;
    result.binary_written = true;
    spdlog::info("cni: installed {}", bin_path);
  }
  if (!secrets.empty()) {
    const fs::path dir = fs::path(o.conf_dir) / kCniSecretDir;
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return absl::InternalError(ErrnoText("cannot create", dir));
    if (chmod(dir.c_str(), 0700) != 0) return absl::InternalError(ErrnoText("cannot chmod", dir));
    for (const auto& [name, content] : secrets) {
      const std::string path = (dir / name).string();
      absl::StatusOr<std::string> installed_secret = ReadFile(path);
      struct stat st {};
      if (installed_secret.ok() && *installed_secret == content && stat(path.c_str(), &st) == 0 &&
          (st.st_mode & 0777) == 0600) {
        continue;
      }
      if (absl::Status s = WriteFileAtomically(path, content, 0600); !s.ok()) return s;
      result.secrets_written = true;
      spdlog::info("cni: installed {}", path);  // the path only: never the content
    }
  }
  return result;
}

absl::StatusOr<bool> WriteCniConfig(const CniInstallOptions& o) {
  if (absl::Status s = CheckConfigOptions(o); !s.ok()) return s;
  const ExistingConf existing = ReadExistingConf(o);
  const std::string conf = RenderedConf(o);
  if (existing.owner == ConfOwner::kOurs && existing.content == conf) return false;
  if (absl::Status s = CheckMayReplace(o, existing); !s.ok()) return s;
  if (absl::Status s = WriteFileAtomically(ConfPath(o), conf, 0644); !s.ok()) return s;
  spdlog::info("cni: wrote {}", ConfPath(o));
  return true;
}

absl::StatusOr<bool> RemoveCniConfig(const CniInstallOptions& o) {
  const ExistingConf existing = ReadExistingConf(o);
  if (existing.owner != ConfOwner::kOurs) return false;
  if (unlink(ConfPath(o).c_str()) != 0) {
    if (errno == ENOENT) return false;
    return absl::InternalError(ErrnoText("cannot remove", ConfPath(o)));
  }
  spdlog::info("cni: removed {}", ConfPath(o));
  return true;
}

}  // namespace romana::agent
