#include "api/k8s_names.h"

#include <string>
#include <vector>

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::api {
namespace {

struct Case {
  std::string value;
  bool ok;
};

void Expect(absl::Status (*check)(absl::string_view, absl::string_view), const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    absl::Status s = check(c.value, "f.g");
    EXPECT_EQ(s.ok(), c.ok) << "\"" << c.value << "\": " << s;
    if (!s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(api::FieldOf(s), "f.g");
    }
  }
}

TEST(K8sNamesTest, Dns1123Label) {
  Expect(CheckDns1123Label, {{"x", true}, {"a-b-1", true}, {"0abc", true}, {std::string(63, 'a'), true},
                             {"", false}, {std::string(64, 'a'), false}, {"A", false}, {"-a", false},
                             {"a-", false}, {"a.b", false}, {"a_b", false}});
}

TEST(K8sNamesTest, Dns1123Subdomain) {
  Expect(CheckDns1123Subdomain, {{"allow-web", true}, {"a.b.c", true}, {"x", true}, {std::string(253, 'a'), true},
                                 {"", false}, {std::string(254, 'a'), false}, {"a..b", false}, {".a", false},
                                 {"a.", false}, {"Allow", false}, {"a.-b", false}, {"a_b", false}});
}

TEST(K8sNamesTest, LabelKey) {
  Expect(CheckLabelKey, {{"app", true}, {"App_1.x-y", true}, {"kubernetes.io/metadata.name", true},
                         {"romana.io/segment", true}, {std::string(63, 'k'), true},
                         {"", false}, {"-app", false}, {"app-", false}, {"a b", false},
                         {std::string(64, 'k'), false}, {"a/b/c", false}, {"/app", false},
                         {"Example.com/app", false}, {"example.com/", false}});
}

TEST(K8sNamesTest, LabelValue) {
  Expect(CheckLabelValue, {{"", true}, {"web", true}, {"Web_1.2-x", true}, {std::string(63, 'v'), true},
                           {std::string(64, 'v'), false}, {"-web", false}, {"web.", false}, {"a/b", false},
                           {"a b", false}});
}

TEST(K8sNamesTest, PortName) {
  Expect(CheckPortName, {{"http", true}, {"serve-80-tcp", true}, {"a1", true}, {std::string(15, 'p'), true},
                         {"", false}, {std::string(16, 'p'), false}, {"80", false}, {"HTTP", false},
                         {"-http", false}, {"http-", false}, {"my--port", false}, {"my_port", false}});
}

}  // namespace
}  // namespace romana::api
