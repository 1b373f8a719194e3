#include "kube_apiserver/protobuf_body.h"

#include <string>

#include "gtest/gtest.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

std::string Varint(uint64_t v) {
  std::string out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out += static_cast<char>(b);
  } while (v);
  return out;
}
std::string Field(uint32_t n, const std::string& bytes) { return Varint(n << 3 | 2) + Varint(bytes.size()) + bytes; }
std::string IntField(uint32_t n, uint64_t v) { return Varint(n << 3) + Varint(v); }

std::string Envelope(const std::string& api_version, const std::string& kind, const std::string& raw) {
  return std::string("k8s\0", 4) + Field(1, Field(1, api_version) + Field(2, kind)) + Field(2, raw) +
         Field(3, "") + Field(4, "");
}

TEST(ProtobufBodyTest, DecodesANamespace) {
  const std::string meta = Field(1, "shop") + IntField(7, 3) + Field(11, Field(1, "team") + Field(2, "a")) +
                           Field(11, Field(1, "env") + Field(2, "prod")) + Field(12, Field(1, "note") + Field(2, "x"));
  const std::string ns = Field(1, meta) + Field(2, Field(1, "kubernetes")) + Field(3, "");
  absl::StatusOr<json> out = DecodeProtobufNamespace(Envelope("v1", "Namespace", ns));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop",
      "labels":{"team":"a","env":"prod"},"annotations":{"note":"x"}}})"));
}

TEST(ProtobufBodyTest, RefusesOtherKindsAndMalformedBodies) {
  absl::StatusOr<json> pod = DecodeProtobufNamespace(Envelope("v1", "Pod", Field(1, Field(1, "p"))));
  ASSERT_FALSE(pod.ok());
  EXPECT_NE(pod.status().message().find("v1 Pod"), std::string::npos);
  EXPECT_FALSE(DecodeProtobufNamespace("{}").ok());
  std::string truncated = Envelope("v1", "Namespace", Field(1, Field(1, "shop")));
  truncated.resize(truncated.size() - 6);
  EXPECT_FALSE(DecodeProtobufNamespace(truncated).ok());
  EXPECT_FALSE(DecodeProtobufNamespace(std::string("k8s\0", 4) + "\x0a\xff\xff\xff\xff\x0f").ok());
}

}  // namespace
}  // namespace romana::kube_apiserver
