// ConflistRunner's libcni semantics, checked with small recording plugins (shell scripts that
// log what they got and answer like a plugin). No root, no network.
#include "cni/conflist.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::cni {
namespace {

using nlohmann::json;

class ConflistRunnerTest : public ::testing::Test {
 protected:
  // A plugin that appends "<type> <CNI_COMMAND> <stdin>" to log and, on ADD, answers with a
  // result naming itself (or fails when its config has "fail": true).
  void MakePlugin(const std::string& type) {
    const std::string path = dir_.File(type);
    std::ofstream f(path);
    f << "#!/bin/sh\nin=$(cat)\necho \"" << type << " $CNI_COMMAND $CNI_CONTAINERID $CNI_IFNAME $in\" >> " << log()
      << "\ncase \"$in\" in *'\"fail\":true'*) echo '{\"code\":100,\"msg\":\"" << type
      << " failed\"}'; exit 1;; esac\n"
      << "if [ \"$CNI_COMMAND\" = ADD ]; then echo '{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"" << type
      << "\"}]}'; fi\nexit 0\n";
    f.close();
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  }
  std::string log() const { return dir_.File("calls.log"); }
  std::vector<json> Calls(std::vector<std::string>* heads = nullptr) {
    std::ifstream in(log());
    std::vector<json> out;
    std::string line;
    while (std::getline(in, line)) {
      size_t brace = line.find('{');
      if (heads) heads->push_back(line.substr(0, brace == std::string::npos ? line.size() : brace - 1));
      out.push_back(json::parse(line.substr(brace)));
    }
    return out;
  }
  std::unique_ptr<ConflistRunner> Runner(const json& list) {
    auto r = ConflistRunner::Create({.conflist_json = list.dump(), .plugin_dirs = {"/nonexistent", dir_.path().string()}});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : nullptr;
  }
  romana::testing::TempDir dir_;
};

TEST_F(ConflistRunnerTest, MalformedListsAreRejectedWithTheFieldNamed) {
  EXPECT_TRUE(absl::IsInvalidArgument(ConflistRunner::Create({.conflist_json = "nope"}).status()));
  auto no_plugins = ConflistRunner::Create({.conflist_json = R"({"cniVersion":"1.0.0","name":"n","plugins":[]})"});
  EXPECT_NE(no_plugins.status().message().find("plugins"), std::string::npos);
  auto no_type = ConflistRunner::Create({.conflist_json = R"({"cniVersion":"1.0.0","name":"n","plugins":[{}]})"});
  EXPECT_NE(no_type.status().message().find("plugins[0].type"), std::string::npos);
  auto missing = ConflistRunner::Create(
      {.conflist_json = R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"nosuch"}]})", .plugin_dirs = {dir_.path().string()}});
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
}

TEST_F(ConflistRunnerTest, AddPassesPrevResultDelRunsInReverseWithTheAddResult) {
  MakePlugin("first");
  MakePlugin("second");
  json list = {{"cniVersion", "1.0.0"}, {"name", "net"},
               {"plugins", {json{{"type", "first"}}, json{{"type", "second"}, {"capabilities", {{"portMappings", true}, {"bandwidth", false}}}}}}};
  auto runner = Runner(list);
  ASSERT_NE(runner, nullptr);
  RuntimeConf rt{.container_id = "c1", .netns = "/var/run/netns/x", .ifname = "eth0", .args = {{"IgnoreUnknown", "1"}}};
  rt.capability_args["portMappings"] = json::array({json{{"hostPort", 8080}}});
  rt.capability_args["bandwidth"] = json{{"ingressRate", 1}};
  auto result = runner->Add(rt);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ((*result)["interfaces"][0]["name"], "second");
  ASSERT_TRUE(runner->Del(rt, *result).ok());
  std::vector<std::string> heads;
  std::vector<json> calls = Calls(&heads);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(heads[0], "first ADD c1 eth0");
  EXPECT_EQ(heads[1], "second ADD c1 eth0");
  EXPECT_EQ(heads[2], "second DEL c1 eth0");
  EXPECT_EQ(heads[3], "first DEL c1 eth0");
  // Every plugin gets the list's name and version.
  for (const json& c : calls) {
    EXPECT_EQ(c["name"], "net");
    EXPECT_EQ(c["cniVersion"], "1.0.0");
  }
  EXPECT_FALSE(calls[0].contains("prevResult"));
  EXPECT_EQ(calls[1]["prevResult"]["interfaces"][0]["name"], "first");
  EXPECT_EQ(calls[2]["prevResult"]["interfaces"][0]["name"], "second");  // DEL gets the ADD result
  EXPECT_EQ(calls[3]["prevResult"]["interfaces"][0]["name"], "second");
  // Only declared-and-enabled capabilities reach runtimeConfig.
  EXPECT_FALSE(calls[0].contains("runtimeConfig"));
  EXPECT_EQ(calls[1]["runtimeConfig"], json({{"portMappings", json::array({json{{"hostPort", 8080}}})}}));
}

TEST_F(ConflistRunnerTest, FailedAddIsUndoneInReverseAndNamesThePlugin) {
  MakePlugin("first");
  MakePlugin("second");
  MakePlugin("third");
  json list = {{"cniVersion", "1.0.0"}, {"name", "net"},
               {"plugins", {json{{"type", "first"}}, json{{"type", "second"}, {"fail", true}}, json{{"type", "third"}}}}};
  auto runner = Runner(list);
  ASSERT_NE(runner, nullptr);
  auto result = runner->Add({.container_id = "c2", .netns = "/x"});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("ADD second: [100] second failed"), std::string::npos) << result.status();
  std::vector<std::string> heads;
  Calls(&heads);
  // first ADD, second ADD (fails), then the undo: DEL third, DEL second (fails again: stop).
  ASSERT_GE(heads.size(), 3u);
  EXPECT_EQ(heads[0], "first ADD c2 eth0");
  EXPECT_EQ(heads[1], "second ADD c2 eth0");
  EXPECT_EQ(heads[2], "third DEL c2 eth0");
}

TEST_F(ConflistRunnerTest, GcSendsBothAttachmentSpellings) {
  MakePlugin("only");
  auto runner = Runner({{"cniVersion", "1.1.0"}, {"name", "net"}, {"plugins", {json{{"type", "only"}}}}});
  ASSERT_NE(runner, nullptr);
  ASSERT_TRUE(runner->Gc({{"c1", "eth0"}}).ok());
  ASSERT_TRUE(runner->Status().ok());
  std::vector<std::string> heads;
  std::vector<json> calls = Calls(&heads);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(heads[0].rfind("only GC", 0), 0u);
  json want = json::array({json{{"containerID", "c1"}, {"ifname", "eth0"}}});
  EXPECT_EQ(calls[0]["cni.dev/valid-attachments"], want);
  EXPECT_EQ(calls[0]["cni.dev/attachments"], want);
  EXPECT_EQ(heads[1].rfind("only STATUS", 0), 0u);
}

}  // namespace
}  // namespace romana::cni
