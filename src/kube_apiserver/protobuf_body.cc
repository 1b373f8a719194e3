#include "kube_apiserver/protobuf_body.h"

#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

// Calls `field(number, wire_type, varint, bytes)` for each field of a message; false when the
// message is malformed.
bool ForEachField(std::string_view msg,
                  const std::function<bool(uint32_t, int, uint64_t, std::string_view)>& field) {
  size_t i = 0;
  auto varint = [&](uint64_t* out) {
    *out = 0;
    for (int shift = 0; shift < 64 && i < msg.size(); shift += 7) {
      const uint8_t b = static_cast<uint8_t>(msg[i++]);
      *out |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  while (i < msg.size()) {
    uint64_t key = 0, v = 0;
    if (!varint(&key)) return false;
    const int wire = static_cast<int>(key & 7);
    const uint32_t number = static_cast<uint32_t>(key >> 3);
    std::string_view bytes;
    switch (wire) {
      case 0:
        if (!varint(&v)) return false;
        break;
      case 1:
        if (msg.size() - i < 8) return false;
        i += 8;
        break;
      case 5:
        if (msg.size() - i < 4) return false;
        i += 4;
        break;
      case 2:
        if (!varint(&v) || v > msg.size() - i) return false;
        bytes = msg.substr(i, v);
        i += v;
        break;
      default:
        return false;
    }
    if (!field(number, wire, v, bytes)) return false;
  }
  return true;
}

// A map<string, string> entry (key = 1, value = 2).
bool MapEntry(std::string_view entry, json& map) {
  std::string key, value;
  if (!ForEachField(entry, [&](uint32_t n, int wire, uint64_t, std::string_view b) {
        if (wire == 2 && n == 1) key = b;
        if (wire == 2 && n == 2) value = b;
        return true;
      })) {
    return false;
  }
  map[key] = value;
  return true;
}

// k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta: name 1, generateName 2, namespace 3,
// labels 11, annotations 12 (the fields a client may set on create and the store keeps).
bool ObjectMeta(std::string_view msg, json& meta) {
  return ForEachField(msg, [&](uint32_t n, int wire, uint64_t, std::string_view b) {
    if (wire != 2) return true;
    switch (n) {
      case 1: meta["name"] = std::string(b); break;
      case 2: meta["generateName"] = std::string(b); break;
      case 3: meta["namespace"] = std::string(b); break;
      case 11: return MapEntry(b, meta["labels"]);
      case 12: return MapEntry(b, meta["annotations"]);
      default: break;
    }
    return true;
  });
}

absl::Status Malformed() { return absl::InvalidArgumentError("the protobuf body is malformed"); }

}  // namespace

absl::StatusOr<json> DecodeProtobufNamespace(std::string_view body) {
  constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) return absl::InvalidArgumentError("the protobuf body lacks the k8s envelope");
  std::string api_version, kind;
  std::string_view raw;
  if (!ForEachField(body.substr(4), [&](uint32_t n, int wire, uint64_t, std::string_view b) {
        if (wire != 2) return true;
        if (n == 1) {  // TypeMeta: apiVersion 1, kind 2
          return ForEachField(b, [&](uint32_t tn, int tw, uint64_t, std::string_view tb) {
            if (tw == 2 && tn == 1) api_version = tb;
            if (tw == 2 && tn == 2) kind = tb;
            return true;
          });
        }
        if (n == 2) raw = b;
        return true;
      })) {
    return Malformed();
  }
  if (kind != "Namespace" || api_version != "v1") {
    return absl::InvalidArgumentError(absl::StrCat(
        "the lab's Kubernetes API decodes protobuf only for Namespaces, not ", api_version, " ", kind,
        ": send JSON (kubectl create -f / apply -f a YAML file)"));
  }
  json meta = json::object();
  if (!ForEachField(raw, [&](uint32_t n, int wire, uint64_t, std::string_view b) {
        return n != 1 || wire != 2 || ObjectMeta(b, meta);
      })) {
    return Malformed();
  }
  return json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", meta}};
}

}  // namespace romana::kube_apiserver
