#include "base/token_file.h"

#include <fstream>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::base {
namespace {

std::string WriteFile(const testing::TempDir& dir, const std::string& name, const std::string& content) {
  const std::string path = dir.File(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(TokenFileTest, SurroundingWhitespaceIsNotPartOfTheToken) {
  testing::TempDir dir;
  for (const char* content : {"s3cret", "s3cret\n", "  s3cret\r\n", "\ts3cret \n\n"}) {
    absl::StatusOr<std::string> t = ReadTokenFile(WriteFile(dir, "token", content));
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(*t, "s3cret");
  }
}

TEST(TokenFileTest, EmptyOrSeveralWordsOrHugeIsAnErrorThatNamesTheFileAndNotTheContent) {
  testing::TempDir dir;
  for (const std::string& content : {std::string(""), std::string(" \n"), std::string("s3cretA s3cretB\n"),
                                     std::string("a\nb\n"), std::string(kMaxTokenFileBytes + 1, 'x')}) {
    const std::string path = WriteFile(dir, "token", content);
    absl::StatusOr<std::string> t = ReadTokenFile(path);
    ASSERT_FALSE(t.ok()) << "content of " << content.size() << " bytes was accepted";
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find(path), std::string::npos) << t.status();
    if (content == "s3cretA s3cretB\n") {
      EXPECT_EQ(t.status().message().find("s3cret"), std::string::npos) << t.status();
    }
  }
}

TEST(TokenFileTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  absl::StatusOr<std::string> t = ReadTokenFile(dir.File("absent"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
}

TEST(TokenFileTest, ParseTokenNamesTheSource) {
  absl::StatusOr<std::string> t = ParseToken("", "ROMANA_TOKEN");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("ROMANA_TOKEN"), std::string::npos);
  EXPECT_EQ(*ParseToken(" abc\n", "x"), "abc");
}

}  // namespace
}  // namespace romana::base
