#include "cni/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::cni {
namespace {

std::optional<CniError> Parse(const std::string& text, NetConf* c) { return ParseNetConf(text, c); }

TEST(CniConfigTest, MinimalConfigGetsDefaults) {
  NetConf c;
  ASSERT_FALSE(Parse(R"({"cniVersion":"1.0.0","name":"romana","type":"romana"})", &c));
  EXPECT_EQ(c.cni_version, "1.0.0");
  EXPECT_EQ(c.name, "romana");
  EXPECT_EQ(c.romanad, "http://127.0.0.1:9600");
  EXPECT_EQ(c.mtu, 1500);
  EXPECT_EQ(c.romanad_timeout_ms, 5000);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.segment_label, "romana.io/segment");
  EXPECT_TRUE(c.node_name.empty());
  EXPECT_FALSE(c.prev_result);
  EXPECT_FALSE(c.valid_attachments);
}

TEST(CniConfigTest, EveryRomanaKey) {
  NetConf c;
  ASSERT_FALSE(Parse(R"({"cniVersion":"0.4.0","name":"k8s-pod-network","type":"romana",
      "romanad":"https://10.96.0.99:9600","romanad_token_file":"/etc/romana/token",
      "romanad_ca_file":"/etc/romana/ca.pem","romanad_timeout_ms":2500,"mtu":8950,
      "node_name":"node-1","log_file":"/var/log/romana-cni.log","log_level":"debug",
      "segment_label":"tier","args":{"cni":{"labels":[{"key":"tier","value":"db"}]}},
      "prevResult":{"interfaces":[]}})", &c));
  EXPECT_EQ(c.romanad, "https://10.96.0.99:9600");
  EXPECT_EQ(c.romanad_token_file, "/etc/romana/token");
  EXPECT_EQ(c.romanad_ca_file, "/etc/romana/ca.pem");
  EXPECT_EQ(c.romanad_timeout_ms, 2500);
  EXPECT_EQ(c.mtu, 8950);
  EXPECT_EQ(c.node_name, "node-1");
  EXPECT_EQ(c.log_file, "/var/log/romana-cni.log");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.segment_label, "tier");
  EXPECT_EQ(c.labels.at("tier"), "db");
  ASSERT_TRUE(c.prev_result);
}

TEST(CniConfigTest, BothGcAttachmentSpellingsAreAccepted) {
  NetConf c;
  ASSERT_FALSE(Parse(R"({"cniVersion":"1.1.0","name":"n","type":"romana",
      "cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}],
      "cni.dev/attachments":[{"containerID":"b","ifname":"eth1"}]})", &c));
  ASSERT_TRUE(c.valid_attachments);
  ASSERT_EQ(c.valid_attachments->size(), 2u);
  EXPECT_EQ((*c.valid_attachments)[0], (Attachment{"a", "eth0"}));
  EXPECT_EQ((*c.valid_attachments)[1], (Attachment{"b", "eth1"}));
  NetConf only_old;
  ASSERT_FALSE(Parse(R"({"cniVersion":"1.1.0","name":"n","type":"romana","cni.dev/attachments":[]})", &only_old));
  ASSERT_TRUE(only_old.valid_attachments);
  EXPECT_TRUE(only_old.valid_attachments->empty());
}

TEST(CniConfigTest, NotJsonIsDecodeError) {
  NetConf c;
  for (const char* text : {"", "{", "[1,2]", "\"x\"", "null"}) {
    auto e = Parse(text, &c);
    ASSERT_TRUE(e) << text;
    EXPECT_EQ(e->code, kErrDecode) << text;
  }
}

TEST(CniConfigTest, UnsupportedVersionIsCode1) {
  NetConf c;
  for (const char* v : {"0.1.0", "0.2.0", "2.0.0"}) {
    auto e = Parse(std::string(R"({"cniVersion":")") + v + R"(","name":"n","type":"romana"})", &c);
    ASSERT_TRUE(e) << v;
    EXPECT_EQ(e->code, kErrIncompatibleVersion);
    EXPECT_NE(e->msg.find(v), std::string::npos);
    EXPECT_NE(e->details.find("1.1.0"), std::string::npos);
  }
}

struct BadCase {
  std::string json_fragment;  // inserted into a valid config
  std::string field;          // must appear in the message
};

class CniConfigBadValueTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(CniConfigBadValueTest, IsCode7NamingTheField) {
  const BadCase& bc = GetParam();
  std::string text = R"({"cniVersion":"1.0.0","name":"n","type":"romana",)" + bc.json_fragment + "}";
  NetConf c;
  auto e = Parse(text, &c);
  ASSERT_TRUE(e) << text;
  EXPECT_EQ(e->code, kErrInvalidNetworkConfig) << e->msg;
  EXPECT_NE(e->msg.find(bc.field), std::string::npos) << e->msg;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, CniConfigBadValueTest,
    ::testing::Values(BadCase{R"("mtu":"1500")", "\"mtu\" must be an integer"},
                      BadCase{R"("mtu":67)", "\"mtu\" is 67"},
                      BadCase{R"("mtu":65536)", "\"mtu\""},
                      BadCase{R"("mtu":1500.5)", "\"mtu\""},
                      BadCase{R"("romanad":"10.0.0.1:9600")", "\"romanad\""},
                      BadCase{R"("romanad":42)", "\"romanad\" must be a string"},
                      BadCase{R"("romanad_timeout_ms":5)", "\"romanad_timeout_ms\""},
                      BadCase{R"("log_level":"verbose")", "\"log_level\""},
                      BadCase{R"("node_name":["a"])", "\"node_name\""},
                      BadCase{R"("prevResult":[])", "\"prevResult\""},
                      BadCase{R"("cni.dev/valid-attachments":{})", "cni.dev/valid-attachments"},
                      BadCase{R"("cni.dev/valid-attachments":[{"ifname":"eth0"}])", "containerID"},
                      BadCase{R"("cni.dev/attachments":[{"containerID":"a"}])", "cni.dev/attachments[0].ifname"},
                      BadCase{R"("args":{"cni":{"labels":[{"key":1}]}})", "args.cni.labels[0]"},
                      BadCase{R"("segment_label":false)", "\"segment_label\""}));

TEST(CniConfigTest, StandardKeysAreRequiredAndValidated) {
  NetConf c;
  auto no_name = Parse(R"({"cniVersion":"1.0.0","type":"romana"})", &c);
  ASSERT_TRUE(no_name);
  EXPECT_EQ(no_name->code, kErrInvalidNetworkConfig);
  EXPECT_NE(no_name->msg.find("\"name\""), std::string::npos);
  auto bad_name = Parse(R"({"cniVersion":"1.0.0","name":"-x","type":"romana"})", &c);
  ASSERT_TRUE(bad_name);
  EXPECT_NE(bad_name->msg.find("\"name\""), std::string::npos);
  auto no_type = Parse(R"({"cniVersion":"1.0.0","name":"n"})", &c);
  ASSERT_TRUE(no_type);
  EXPECT_NE(no_type->msg.find("\"type\""), std::string::npos);
  auto no_version = Parse(R"({"name":"n","type":"romana"})", &c);
  ASSERT_TRUE(no_version);
  EXPECT_NE(no_version->msg.find("cniVersion"), std::string::npos);
}

TEST(CniConfigTest, PeekVersionAndUnknownKeys) {
  EXPECT_EQ(PeekCniVersion(R"({"cniVersion":"0.3.1","mtu":"x"})"), "0.3.1");
  EXPECT_EQ(PeekCniVersion("garbage"), "");
  auto unknown = UnknownKeys(R"({"cniVersion":"1.0.0","name":"n","type":"romana","mut":1,"ipam":{}})");
  EXPECT_EQ(unknown, std::vector<std::string>{"mut"});
}

// Hostile stdin: too large, nested too deep, a number beyond a double: a decode error that says
// which, never a crash; the version peek and the unknown-key scan stay quiet.
TEST(CniConfigTest, HostileInputIsADecodeErrorSayingWhy) {
  const std::string base = R"({"cniVersion": "1.0.0", "name": "n", "type": "romana", "x": )";
  struct Case {
    std::string json;
    const char* why;
  } cases[] = {
      {base + std::string(400000, '[') + std::string(400000, ']') + "}", "deeper than"},
      {base + "1e999}", "not valid JSON"},
      {base + "\"" + std::string(kMaxNetConfBytes, 'a') + "\"}", "over the limit"},
  };
  for (const Case& c : cases) {
    NetConf conf;
    std::optional<CniError> e = ParseNetConf(c.json, &conf);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code, kErrDecode);
    EXPECT_THAT(e->details, ::testing::HasSubstr(c.why));
    EXPECT_EQ(PeekCniVersion(c.json), "");
    EXPECT_TRUE(UnknownKeys(c.json).empty());
  }
}

}  // namespace
}  // namespace romana::cni
