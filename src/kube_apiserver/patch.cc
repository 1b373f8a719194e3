#include "kube_apiserver/patch.h"

#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

constexpr absl::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

// The merge key of a list field of the served kinds (their Go types' patchMergeKey tags), ""
// for lists that are replaced whole. `sample` is an element of the list: "ports" merges by
// containerPort in a container and by port in a Service.
std::string MergeKey(const std::string& field, const json& sample) {
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" || field == "volumes" ||
      field == "env" || field == "imagePullSecrets" || field == "resourceClaims") {
    return "name";
  }
  if (field == "conditions" || field == "addresses") return "type";
  if (field == "volumeMounts") return "mountPath";
  if (field == "volumeDevices") return "devicePath";
  if (field == "ownerReferences") return "uid";
  if (field == "taints") return "key";
  if (field == "hostAliases" || field == "podIPs" || field == "hostIPs") return "ip";
  if (field == "readinessGates") return "conditionType";
  if (field == "topologySpreadConstraints") return "topologyKey";
  if (field == "ports") return sample.is_object() && sample.contains("containerPort") ? "containerPort" : "port";
  return "";
}

// Lists of scalars that merge as sets (patchStrategy "merge" on a []string).
bool IsMergedPrimitiveList(const std::string& field) { return field == "finalizers"; }

json StripDirectives(json v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (absl::StartsWith(it.key(), "$")) {
        it = v.erase(it);
      } else {
        it.value() = StripDirectives(std::move(it.value()));
        ++it;
      }
    }
  } else if (v.is_array()) {
    json out = json::array();
    for (json& e : v) {
      if (e.is_object() && e.value("$patch", "") == "delete") continue;
      out.push_back(StripDirectives(std::move(e)));
    }
    return out;
  }
  return v;
}

json MergeMap(json target, const json& patch);

json MergeList(const std::string& field, json target, const json& patch) {
  // A {"$patch": "replace"} element: the rest of the patch list is the new list.
  for (const json& e : patch) {
    if (e.is_object() && e.value("$patch", "") == "replace") {
      json out = json::array();
      for (const json& x : patch) {
        if (!(x.is_object() && x.contains("$patch"))) out.push_back(StripDirectives(x));
      }
      return out;
    }
  }
  const std::string key = patch.empty() ? "" : MergeKey(field, patch[0]);
  if (!key.empty() && target.is_array() && std::all_of(patch.begin(), patch.end(), [&](const json& e) {
        return e.is_object() && e.contains(key);
      })) {
    for (const json& e : patch) {
      auto match = std::find_if(target.begin(), target.end(),
                                [&](const json& t) { return t.is_object() && t.contains(key) && t[key] == e[key]; });
      if (e.value("$patch", "") == "delete") {
        if (match != target.end()) target.erase(match);
      } else if (match != target.end()) {
        *match = MergeMap(std::move(*match), e);
      } else {
        target.push_back(StripDirectives(e));
      }
    }
    return target;
  }
  if (IsMergedPrimitiveList(field) && target.is_array()) {
    for (const json& e : patch) {
      if (std::find(target.begin(), target.end(), e) == target.end()) target.push_back(e);
    }
    return target;
  }
  return StripDirectives(patch);
}

json MergeMap(json target, const json& patch) {
  if (!patch.is_object()) return StripDirectives(patch);
  if (patch.value("$patch", "") == "replace") return StripDirectives(patch);
  if (!target.is_object()) target = json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (absl::StartsWith(k, kDeleteFromPrimitiveList)) {
      const std::string field(k.substr(kDeleteFromPrimitiveList.size()));
      if (target.contains(field) && target[field].is_array() && v.is_array()) {
        json kept = json::array();
        for (const json& e : target[field]) {
          if (std::find(v.begin(), v.end(), e) == v.end()) kept.push_back(e);
        }
        target[field] = kept;
      }
      continue;
    }
    if (absl::StartsWith(k, "$")) continue;  // $patch, $retainKeys, $setElementOrder/...
    if (v.is_null() || (v.is_object() && v.value("$patch", "") == "delete")) {
      target.erase(k);
    } else if (v.is_object()) {
      target[k] = MergeMap(target.contains(k) ? std::move(target[k]) : json(nullptr), v);
    } else if (v.is_array()) {
      target[k] = MergeList(k, target.contains(k) ? std::move(target[k]) : json(nullptr), v);
    } else {
      target[k] = v;
    }
  }
  if (patch.contains("$retainKeys") && patch["$retainKeys"].is_array()) {
    const json& keep = patch["$retainKeys"];
    for (auto it = target.begin(); it != target.end();) {
      if (std::find(keep.begin(), keep.end(), json(it.key())) == keep.end()) {
        it = target.erase(it);
      } else {
        ++it;
      }
    }
  }
  return target;
}

}  // namespace

std::optional<PatchType> PatchTypeOf(std::string_view content_type) {
  const std::string t(absl::StripAsciiWhitespace(std::string(content_type.substr(0, content_type.find(';')))));
  if (t == "application/merge-patch+json") return PatchType::kMerge;
  if (t == "application/strategic-merge-patch+json") return PatchType::kStrategicMerge;
  if (t == "application/json-patch+json") return PatchType::kJson;
  return std::nullopt;
}

absl::StatusOr<json> ApplyPatch(PatchType type, json target, const json& patch) {
  switch (type) {
    case PatchType::kMerge:
      if (!patch.is_object()) return absl::InvalidArgumentError("a merge patch must be a JSON object");
      target.merge_patch(patch);
      return target;
    case PatchType::kStrategicMerge:
      if (!patch.is_object()) return absl::InvalidArgumentError("a strategic merge patch must be a JSON object");
      return MergeMap(std::move(target), patch);
    case PatchType::kJson:
      if (!patch.is_array()) return absl::InvalidArgumentError("a JSON patch must be an array of operations");
      try {
        return target.patch(patch);
      } catch (const json::exception& e) {
        return absl::InvalidArgumentError(absl::StrCat("the JSON patch does not apply: ", e.what()));
      }
  }
  return absl::InvalidArgumentError("unknown patch type");
}

}  // namespace romana::kube_apiserver
