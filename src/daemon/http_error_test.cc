#include "daemon/http_error.h"

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::daemon {
namespace {

TEST(HttpErrorTest, StatusCodes) {
  EXPECT_EQ(ToHttpError(absl::InvalidArgumentError("x")).status, 400);
  EXPECT_EQ(ToHttpError(absl::UnauthenticatedError("x")).status, 401);
  EXPECT_EQ(ToHttpError(absl::NotFoundError("x")).status, 404);
  EXPECT_EQ(ToHttpError(absl::AlreadyExistsError("x")).status, 409);
  EXPECT_EQ(ToHttpError(absl::AlreadyExistsError("x")).body["error"]["code"], "already_exists");
  EXPECT_EQ(ToHttpError(absl::FailedPreconditionError("x")).status, 409);
  EXPECT_EQ(ToHttpError(absl::OutOfRangeError("x")).status, 410);
  EXPECT_EQ(ToHttpError(absl::ResourceExhaustedError("x")).status, 507);
  EXPECT_EQ(ToHttpError(absl::UnavailableError("x")).status, 503);
  EXPECT_EQ(ToHttpError(absl::DeadlineExceededError("x")).status, 503);
  EXPECT_EQ(ToHttpError(absl::InternalError("x")).status, 500);
  EXPECT_EQ(ToHttpError(absl::InternalError("x")).retry_after_seconds, 0);
  EXPECT_EQ(ToHttpError(absl::FailedPreconditionError("x")).retry_after_seconds, 0);
  EXPECT_EQ(ToHttpError(absl::UnavailableError("x")).retry_after_seconds, 1);
}

// A write that lost a race changed nothing: the client retries (503 + Retry-After), it is not a
// conflict with existing state (409).
TEST(HttpErrorTest, LostRaceIsRetryable) {
  HttpError e = ToHttpError(absl::AbortedError("the IPAM state kept changing under another writer; retry"));
  EXPECT_EQ(e.status, 503);
  EXPECT_EQ(e.body["error"]["code"], "retry");
  EXPECT_EQ(e.retry_after_seconds, 1);
}

TEST(HttpErrorTest, BodyNamesFieldCodeAndDetails) {
  absl::Status s = api::FieldError("applied_to[0].peer", "bad");
  HttpError e = ToHttpError(s);
  EXPECT_EQ(e.body["error"]["field"], "applied_to[0].peer");
  EXPECT_EQ(e.body["error"]["message"], "applied_to[0].peer: bad");
  absl::Status nl = api::WithDetail(api::WithErrorCode(absl::UnavailableError("no"), "not_leader"), "leader", "http://x:1");
  e = ToHttpError(nl);
  EXPECT_EQ(e.body["error"]["code"], "not_leader");
  EXPECT_EQ(e.body["error"]["leader"], "http://x:1");
  absl::Status c = api::WithDetail(api::WithErrorCode(absl::OutOfRangeError("old"), "compacted"), "compact_revision", "17");
  e = ToHttpError(c);
  EXPECT_EQ(e.body["error"]["compact_revision"], 17);
}

TEST(HttpErrorTest, IpamPayloads) {
  absl::Status s = absl::FailedPreconditionError("conflicts");
  s.SetPayload("type.romana.io/conflicts", absl::Cord("host a\nhost b"));
  s.SetPayload("type.romana.io/field", absl::Cord("topologies[0].map"));
  HttpError e = ToHttpError(s);
  EXPECT_EQ(e.status, 409);
  EXPECT_EQ(e.body["error"]["conflicts"], nlohmann::json({"host a", "host b"}));
  EXPECT_EQ(e.body["error"]["field"], "topologies[0].map");
}

}  // namespace
}  // namespace romana::daemon
