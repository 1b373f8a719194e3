#include "daemon/auth.h"

#include <fstream>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::daemon {
namespace {

TEST(TokenAuthTest, AcceptsOnlyTheExactBearerToken) {
  TokenAuth a = TokenAuth::FromToken("s3cret");
  EXPECT_TRUE(a.Check("Bearer s3cret"));
  EXPECT_TRUE(a.Check("bearer s3cret"));
  EXPECT_FALSE(a.Check("Bearer s3cret2"));
  EXPECT_FALSE(a.Check("Bearer s3cre"));
  EXPECT_FALSE(a.Check("Bearer "));
  EXPECT_FALSE(a.Check("Basic s3cret"));
  EXPECT_FALSE(a.Check("s3cret"));
  EXPECT_FALSE(a.Check(""));
}

TEST(TokenAuthTest, FromFileTrimsAndRejectsEmpty) {
  testing::TempDir dir;
  std::ofstream(dir.File("t")) << "  tok-1\n";
  absl::StatusOr<TokenAuth> a = TokenAuth::FromFile(dir.File("t"));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->Check("Bearer tok-1"));
  std::ofstream(dir.File("empty")) << "\n\n";
  EXPECT_EQ(TokenAuth::FromFile(dir.File("empty")).status().code(), absl::StatusCode::kInvalidArgument);
  std::ofstream(dir.File("two")) << "a b\n";
  EXPECT_EQ(TokenAuth::FromFile(dir.File("two")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TokenAuth::FromFile(dir.File("missing")).status().code(), absl::StatusCode::kNotFound);
  // The token never appears in error messages.
  EXPECT_EQ(std::string(TokenAuth::FromFile(dir.File("two")).status().message()).find("a b"), std::string::npos);
}

}  // namespace
}  // namespace romana::daemon
