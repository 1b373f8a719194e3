#include "cni/conflist.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cni/exec.h"

namespace romana::cni {

using nlohmann::json;

absl::StatusOr<std::unique_ptr<ConflistRunner>> ConflistRunner::Create(ConflistOptions options) {
  json list = json::parse(options.conflist_json, nullptr, false);
  if (!list.is_object()) return absl::InvalidArgumentError("conflist: not a JSON object");
  if (!list.contains("name") || !list["name"].is_string()) return absl::InvalidArgumentError("conflist: \"name\" must be a string");
  if (!list.contains("cniVersion") || !list["cniVersion"].is_string()) {
    return absl::InvalidArgumentError("conflist: \"cniVersion\" must be a string");
  }
  if (!list.contains("plugins") || !list["plugins"].is_array() || list["plugins"].empty()) {
    return absl::InvalidArgumentError("conflist: \"plugins\" must be a non-empty array");
  }
  auto r = std::unique_ptr<ConflistRunner>(new ConflistRunner());
  r->name_ = list["name"];
  r->version_ = list["cniVersion"];
  for (size_t i = 0; i < list["plugins"].size(); ++i) {
    const json& p = list["plugins"][i];
    if (!p.is_object() || !p.contains("type") || !p["type"].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat("conflist: \"plugins[", i, "].type\" must be a string"));
    }
    std::string found;
    for (const std::string& dir : options.plugin_dirs) {
      std::string candidate = absl::StrCat(dir, "/", p["type"].get<std::string>());
      if (access(candidate.c_str(), X_OK) == 0) {
        found = candidate;
        break;
      }
    }
    if (found.empty()) {
      return absl::NotFoundError(absl::StrCat("conflist: plugin \"", p["type"].get<std::string>(), "\" not found in ",
                                              absl::StrJoin(options.plugin_dirs, ":")));
    }
    r->plugins_.push_back(p);
    r->binaries_.push_back(found);
  }
  r->options_ = std::move(options);
  return r;
}

json ConflistRunner::PluginConf(size_t i, const RuntimeConf* rt, const json& prev) const {
  json conf = plugins_[i];
  conf["name"] = name_;
  conf["cniVersion"] = version_;
  if (rt != nullptr && conf.contains("capabilities") && conf["capabilities"].is_object()) {
    json runtime = json::object();
    for (auto it = conf["capabilities"].begin(); it != conf["capabilities"].end(); ++it) {
      auto arg = rt->capability_args.find(it.key());
      if (it.value() == true && arg != rt->capability_args.end()) runtime[it.key()] = arg->second;
    }
    if (!runtime.empty()) conf["runtimeConfig"] = runtime;
  }
  if (!prev.is_null()) conf["prevResult"] = prev;
  return conf;
}

absl::StatusOr<json> ConflistRunner::Run(size_t i, const std::string& command, const RuntimeConf* rt,
                                         const json& conf) const {
  ExecOptions exec;
  exec.binary = binaries_[i];
  exec.stdin_data = conf.dump();
  exec.netns = options_.runtime_netns;
  exec.env["CNI_COMMAND"] = command;
  exec.env["CNI_PATH"] = absl::StrJoin(options_.plugin_dirs, ":");
  if (rt != nullptr) {
    exec.env["CNI_CONTAINERID"] = rt->container_id;
    if (!rt->netns.empty()) exec.env["CNI_NETNS"] = rt->netns;
    exec.env["CNI_IFNAME"] = rt->ifname;
    std::vector<std::string> pairs;
    for (const auto& [k, v] : rt->args) pairs.push_back(absl::StrCat(k, "=", v));
    exec.env["CNI_ARGS"] = absl::StrJoin(pairs, ";");
  }
  auto result = ExecPlugin(exec);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InternalError(absl::StrCat(command, " ", plugins_[i]["type"].get<std::string>(), ": ", Describe(*result)));
  }
  return result->output;
}

absl::StatusOr<json> ConflistRunner::Add(const RuntimeConf& rt) const {
  json prev = nullptr;
  for (size_t i = 0; i < plugins_.size(); ++i) {
    auto out = Run(i, "ADD", &rt, PluginConf(i, &rt, prev));
    if (!out.ok()) {
      absl::Status undo = Del(rt, prev);
      std::string msg(out.status().message());
      if (!undo.ok()) absl::StrAppend(&msg, " (and the DEL that undoes it failed: ", undo.message(), ")");
      return absl::Status(out.status().code(), msg);
    }
    prev = *out;
  }
  return prev;
}

absl::Status ConflistRunner::Check(const RuntimeConf& rt, const json& add_result) const {
  for (size_t i = 0; i < plugins_.size(); ++i) {
    auto out = Run(i, "CHECK", &rt, PluginConf(i, &rt, add_result));
    if (!out.ok()) return out.status();
  }
  return absl::OkStatus();
}

absl::Status ConflistRunner::Del(const RuntimeConf& rt, const json& add_result) const {
  for (size_t i = plugins_.size(); i-- > 0;) {
    auto out = Run(i, "DEL", &rt, PluginConf(i, &rt, add_result));
    if (!out.ok()) return out.status();
  }
  return absl::OkStatus();
}

absl::Status ConflistRunner::Gc(const std::vector<Attachment>& valid) const {
  json list = json::array();
  for (const Attachment& a : valid) list.push_back({{"containerID", a.container_id}, {"ifname", a.ifname}});
  for (size_t i = 0; i < plugins_.size(); ++i) {
    json conf = PluginConf(i, nullptr, nullptr);
    conf["cni.dev/valid-attachments"] = list;
    conf["cni.dev/attachments"] = list;  // libcni sends both spellings
    auto out = Run(i, "GC", nullptr, conf);
    if (!out.ok()) return out.status();
  }
  return absl::OkStatus();
}

absl::Status ConflistRunner::Status() const {
  for (size_t i = 0; i < plugins_.size(); ++i) {
    auto out = Run(i, "STATUS", nullptr, PluginConf(i, nullptr, nullptr));
    if (!out.ok()) return out.status();
  }
  return absl::OkStatus();
}

}  // namespace romana::cni
