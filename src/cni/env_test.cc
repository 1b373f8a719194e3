#include "cni/env.h"

#include "gtest/gtest.h"

namespace romana::cni {
namespace {

using Env = std::map<std::string, std::string>;

Env AddEnv() {
  return {{"CNI_COMMAND", "ADD"}, {"CNI_CONTAINERID", "c1"}, {"CNI_NETNS", "/var/run/netns/p"},
          {"CNI_IFNAME", "eth0"}, {"CNI_PATH", "/opt/cni/bin"}, {"CNI_ARGS", "IgnoreUnknown=1"}};
}

TEST(CniEnvTest, ParsesAdd) {
  CniEnv e;
  ASSERT_FALSE(ParseEnv(AddEnv(), &e));
  EXPECT_EQ(e.command, Command::kAdd);
  EXPECT_EQ(e.container_id, "c1");
  EXPECT_EQ(e.netns, "/var/run/netns/p");
  EXPECT_EQ(e.ifname, "eth0");
  EXPECT_EQ(e.args, "IgnoreUnknown=1");
}

TEST(CniEnvTest, EveryCommandName) {
  for (const char* c : {"ADD", "DEL", "CHECK", "VERSION", "GC", "STATUS"}) {
    Env env = AddEnv();
    env["CNI_COMMAND"] = c;
    CniEnv e;
    ASSERT_FALSE(ParseEnv(env, &e)) << c;
    EXPECT_STREQ(CommandName(e.command), c);
  }
}

TEST(CniEnvTest, MissingOrBadVariablesAreCode4NamingTheVariable) {
  struct Case {
    std::string key, value, expect;
  };
  for (const Case& c : std::vector<Case>{{"CNI_COMMAND", "", "CNI_COMMAND"},
                                         {"CNI_COMMAND", "ATTACH", "ATTACH"},
                                         {"CNI_CONTAINERID", "", "CNI_CONTAINERID"},
                                         {"CNI_CONTAINERID", "-bad", "CNI_CONTAINERID"},
                                         {"CNI_IFNAME", "", "CNI_IFNAME"},
                                         {"CNI_IFNAME", "a-very-long-ifname", "CNI_IFNAME"},
                                         {"CNI_NETNS", "", "CNI_NETNS"}}) {
    Env env = AddEnv();
    if (c.value.empty()) {
      env.erase(c.key);
    } else {
      env[c.key] = c.value;
    }
    CniEnv e;
    auto err = ParseEnv(env, &e);
    ASSERT_TRUE(err) << c.key;
    EXPECT_EQ(err->code, kErrInvalidEnvironment);
    EXPECT_NE(err->msg.find(c.expect), std::string::npos) << err->msg;
  }
}

TEST(CniEnvTest, DelNeedsNoNetnsAndGcStatusVersionNeedNoContainer) {
  CniEnv e;
  Env del = AddEnv();
  del["CNI_COMMAND"] = "DEL";
  del.erase("CNI_NETNS");
  EXPECT_FALSE(ParseEnv(del, &e));
  for (const char* c : {"GC", "STATUS", "VERSION"}) {
    EXPECT_FALSE(ParseEnv({{"CNI_COMMAND", c}}, &e)) << c;
  }
  Env check = AddEnv();
  check["CNI_COMMAND"] = "CHECK";
  check.erase("CNI_NETNS");
  EXPECT_TRUE(ParseEnv(check, &e));
}

TEST(CniArgsTest, KubernetesArgsWithIgnoreUnknown) {
  PodArgs p;
  ASSERT_FALSE(ParseCniArgs("IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web-0;"
                            "K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u-1;FOO=bar",
                            &p));
  EXPECT_EQ(p.pod_namespace, "ns1");
  EXPECT_EQ(p.pod_name, "web-0");
  EXPECT_EQ(p.infra_container_id, "abc");
  EXPECT_EQ(p.pod_uid, "u-1");
  EXPECT_EQ(p.segment, "");
}

TEST(CniArgsTest, IgnoreUnknownMayComeLastAndAcceptsTrue) {
  PodArgs p;
  EXPECT_FALSE(ParseCniArgs("FOO=1;IgnoreUnknown=true", &p));
  EXPECT_FALSE(ParseCniArgs("FOO=1;IgnoreUnknown=TRUE", &p));
}

TEST(CniArgsTest, UnknownKeyWithoutIgnoreUnknownIsAnError) {
  PodArgs p;
  auto e = ParseCniArgs("K8S_POD_NAME=a;FOO=bar", &p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, kErrInvalidEnvironment);
  EXPECT_NE(e->msg.find("FOO"), std::string::npos);
  EXPECT_TRUE(ParseCniArgs("FOO=bar;IgnoreUnknown=0", &p));
}

TEST(CniArgsTest, MalformedPairs) {
  PodArgs p;
  EXPECT_TRUE(ParseCniArgs("K8S_POD_NAME", &p));
  EXPECT_TRUE(ParseCniArgs("=x", &p));
  EXPECT_TRUE(ParseCniArgs("IgnoreUnknown=maybe", &p));
  EXPECT_FALSE(ParseCniArgs("", &p));
  EXPECT_FALSE(ParseCniArgs(";;", &p));
  ASSERT_FALSE(ParseCniArgs("ROMANA_SEGMENT=db;K8S_POD_NAME=a=b", &p));
  EXPECT_EQ(p.segment, "db");
  EXPECT_EQ(p.pod_name, "a=b");
}

}  // namespace
}  // namespace romana::cni
