#include "store/txn_rules.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::store {
namespace {

using ::testing::HasSubstr;

absl::Status Check(const Txn& txn) { return ValidateTxn(txn); }

TEST(ValidateTxnTest, NamesTheFieldOfEveryEmptyKey) {
  EXPECT_THAT(Check({.compares = {Compare::Exists("/a"), Compare::Exists("")}}).message(),
              HasSubstr("txn.compares[1].key: must not be empty"));
  EXPECT_THAT(Check({.success = {Op::Put("/a", "1"), Op::Delete("")}}).message(),
              HasSubstr("txn.success[1].key: must not be empty"));
  EXPECT_THAT(Check({.failure = {Op::DeletePrefix("")}}).message(),
              HasSubstr("txn.failure[0].prefix: must not be empty"));
  EXPECT_THAT(Check({.success = {Op::Put("/a", "1", -3)}}).message(),
              HasSubstr("txn.success[0].lease: must not be negative"));
  EXPECT_TRUE(Check({}).ok());
}

TEST(ValidateTxnTest, ConflictsAreCheckedPerBranch) {
  EXPECT_EQ(Check({.success = {Op::Put("/a", "1"), Op::Put("/a", "2")}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Check({.success = {Op::Put("/d/x", "1"), Op::DeletePrefix("/d/")}}).message(),
              HasSubstr("deletes \"/d/x\""));
  EXPECT_FALSE(Check({.success = {Op::Delete("/a"), Op::Put("/a", "1")}}).ok());
  // The same key in different branches, overlapping deletes, and a put next to (not inside) a
  // deleted prefix are all fine, as in etcd.
  EXPECT_TRUE(Check({.success = {Op::Put("/a", "1")}, .failure = {Op::Put("/a", "2")}}).ok());
  EXPECT_TRUE(Check({.success = {Op::Delete("/d/x"), Op::DeletePrefix("/d/")}}).ok());
  EXPECT_TRUE(Check({.success = {Op::Put("/d", "1"), Op::DeletePrefix("/d/")}}).ok());
}

TEST(ValidateTxnTest, EtcdLimits) {
  Txn txn;
  for (size_t i = 0; i < kMaxTxnOps; ++i) txn.compares.push_back(Compare::Exists("/k"));
  EXPECT_TRUE(Check(txn).ok());
  txn.compares.push_back(Compare::Exists("/k"));
  EXPECT_THAT(Check(txn).message(), HasSubstr("txn.compares: 129 entries"));
  EXPECT_TRUE(Check({.failure = {Op::Put("/k", std::string(kMaxTxnBytes - 2, 'x'))}}).ok());
  EXPECT_THAT(Check({.failure = {Op::Put("/k", std::string(kMaxTxnBytes - 1, 'x'))}}).message(),
              HasSubstr("bytes of keys and values"));
}

TEST(ValidateRangeTest, EachFieldHasItsMessage) {
  EXPECT_TRUE(ValidateRange({.prefix = "/a/", .start_key = "/a/b", .limit = 3}).ok());
  EXPECT_THAT(ValidateRange({}).message(), HasSubstr("range.prefix"));
  EXPECT_THAT(ValidateRange({.prefix = "/a/", .limit = -1}).message(), HasSubstr("range.limit"));
  EXPECT_THAT(ValidateRange({.prefix = "/a/", .revision = -1}).message(),
              HasSubstr("range.revision"));
  EXPECT_THAT(ValidateRange({.prefix = "/a/", .start_key = "/b"}).message(),
              HasSubstr("range.start_key"));
  EXPECT_THAT(ValidateWatch("", 0).message(), HasSubstr("watch.prefix"));
  EXPECT_THAT(ValidateWatch("/a", -1).message(), HasSubstr("watch.from"));
}

// Every target x operator x (present, missing), against etcd's rules.
TEST(CompareHoldsTest, ExhaustiveOverTargetsAndOperators) {
  const KeyValue kv{"/k", "m", 5, 9, 3, 0};
  using T = Compare::Target;
  using O = Compare::Op;
  for (T target : {T::kVersion, T::kCreateRevision, T::kModRevision}) {
    const int64_t have = target == T::kVersion ? 3 : target == T::kCreateRevision ? 5 : 9;
    for (O op : {O::kEqual, O::kNotEqual, O::kLess, O::kGreater}) {
      for (int64_t want = -1; want <= 11; ++want) {
        Compare c;
        c.key = "/k";
        c.target = target;
        c.op = op;
        c.number = want;
        auto expect = [&](int64_t h) {
          switch (op) {
            case O::kEqual: return h == want;
            case O::kNotEqual: return h != want;
            case O::kLess: return h < want;
            case O::kGreater: return h > want;
          }
          return false;
        };
        SCOPED_TRACE(absl::StrCat(static_cast<int>(target), " ", static_cast<int>(op), " ", want));
        EXPECT_EQ(CompareHolds(c, &kv), expect(have));
        EXPECT_EQ(CompareHolds(c, nullptr), expect(0));
      }
    }
  }
  for (O op : {O::kEqual, O::kNotEqual, O::kLess, O::kGreater}) {
    for (const char* want : {"", "l", "m", "n", "mm"}) {
      Compare c;
      c.key = "/k";
      c.target = T::kValue;
      c.op = op;
      c.value = want;
      const std::string w = want;
      bool expect = op == O::kEqual      ? kv.value == w
                    : op == O::kNotEqual ? kv.value != w
                    : op == O::kLess     ? kv.value < w
                                         : kv.value > w;
      EXPECT_EQ(CompareHolds(c, &kv), expect) << want;
      EXPECT_FALSE(CompareHolds(c, nullptr)) << "value compares on a missing key never hold";
    }
  }
}

TEST(KeyRangeTest, PrefixHelpers) {
  EXPECT_TRUE(HasPrefix("/a/b", "/a/"));
  EXPECT_FALSE(HasPrefix("/a", "/a/"));
  EXPECT_TRUE(KeyInRange("/a/b", "/a/", PrefixEnd("/a/")));
  EXPECT_FALSE(KeyInRange("/a0", "/a/", PrefixEnd("/a/")));
  EXPECT_TRUE(KeyInRange("\xff\xff", std::string("\xff", 1), PrefixEnd("\xff")));
}

}  // namespace
}  // namespace romana::store
