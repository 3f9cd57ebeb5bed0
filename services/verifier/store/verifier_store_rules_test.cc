#include "services/verifier/store/verifier_store_rules.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace bulwark::verifier::store_rules {
namespace {

using record_rules::After;
using record_rules::NewerFirst;
using record_rules::ToMicros;
using record_rules::ValidateVerificationId;

// The store's token: record_rules with this store's format tag.
std::string EncodePageToken(const std::string& filter, const record_rules::Cursor& last) {
  return record_rules::EncodeToken(kTokenFormat, filter, last);
}
absl::StatusOr<std::optional<record_rules::Cursor>> DecodePageToken(const std::string& filter,
                                                                    const std::string& token) {
  return record_rules::DecodeToken(kTokenFormat, filter, token);
}

const absl::Time kT = absl::FromUnixMicros(1795435200123456);

TEST(PageTokenTest, RoundTripsTheCursorAndIsBoundToTheTaskFilter) {
  for (const std::string& filter : {std::string(), std::string("dY3gdEJYQNixQSgZ0m4Cqw")}) {
    std::string token = EncodePageToken(filter, {kT, "fvR9ykMnQJWcNXbJ6J5N6w"});
    // URL-safe: the token can travel in a query string or JSON unescaped.
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << token;
    auto cursor = DecodePageToken(filter, token);
    ASSERT_TRUE(cursor.ok()) << cursor.status();
    ASSERT_TRUE(cursor->has_value());
    EXPECT_EQ((*cursor)->created, kT);
    EXPECT_EQ((*cursor)->verification_id, "fvR9ykMnQJWcNXbJ6J5N6w");
    absl::Status other = DecodePageToken("other-task", token).status();
    EXPECT_EQ(other.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(other.message(), "not of task other-task")) << other;
  }
  auto first = DecodePageToken("t", "");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
}

TEST(PageTokenTest, RejectsEveryAlteredToken) {
  const std::string good = absl::WebSafeBase64Escape("v1|t|1795435200123456|v1");
  ASSERT_TRUE(DecodePageToken("t", good).ok());
  for (const char* raw : {
           "v1|t|1795435200123456",         // a part missing
           "v1|t|1795435200123456|v1|x",    // a part too many
           "v0|t|1795435200123456|v1",      // another format
           "v1|t|17954352001234.5|v1",      // not an integer
           "v1|t|99999999999999999999|v1",  // out of range
           "v1|t|-1|v1",                    // before 1970
           "v1|t|1795435200123456|",        // no id
           "v1|t|1795435200123456|a\xff",   // not an id
           "v1|t t|1795435200123456|v1",    // not a task id
       }) {
    absl::Status s = DecodePageToken("t", absl::WebSafeBase64Escape(raw)).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << raw;
  }
  EXPECT_EQ(DecodePageToken("t", "%%%").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(OrderTest, NewestFirstThenIdDescendingBytewise) {
  VerificationRecord a, b;
  a.created = b.created = kT;
  a.verification_id = "a-z";
  b.verification_id = "a-Z";
  EXPECT_TRUE(NewerFirst(a, b));
  EXPECT_FALSE(NewerFirst(b, a));
  b.created = kT + absl::Microseconds(1);
  EXPECT_TRUE(NewerFirst(b, a));
  // After a cursor means strictly older in that order.
  EXPECT_TRUE(After(a, {kT, "a-zz"}));
  EXPECT_FALSE(After(a, {kT, "a-z"}));
  EXPECT_FALSE(After(a, {kT - absl::Microseconds(1), "zzz"}));
}

TEST(TimeTest, TruncatesToTheMicrosecond) {
  EXPECT_EQ(ToMicros(kT + absl::Nanoseconds(999)), kT);
  EXPECT_EQ(ToMicros(kT), kT);
}

TEST(ValidationTest, TheEdgesOfWhatIsAccepted) {
  EXPECT_TRUE(ValidatePolicyVersion(std::string(128, '!')).ok());
  EXPECT_FALSE(ValidatePolicyVersion(std::string(129, '!')).ok());
  EXPECT_TRUE(ValidateVerificationId(std::string(64, '_')).ok());
  EXPECT_FALSE(ValidateVerificationId(std::string(65, '_')).ok());
  EXPECT_TRUE(record_rules::ValidateTaskId("", true).ok());
  EXPECT_TRUE(record_rules::ValidatePageSize(1, VerifierStore::kMaxPageSize).ok());
  EXPECT_TRUE(
      record_rules::ValidatePageSize(VerifierStore::kMaxPageSize, VerifierStore::kMaxPageSize)
          .ok());
  EXPECT_TRUE(
      record_rules::ValidateExpiry(absl::UnixEpoch(), 1, VerifierStore::kMaxExpireBatch).ok());
  EXPECT_FALSE(record_rules::ValidateExpiry(
                   absl::FromCivil(absl::CivilSecond(10000, 1, 1), absl::UTCTimeZone()), 1,
                   VerifierStore::kMaxExpireBatch)
                   .ok());
  EXPECT_TRUE(record_rules::ValidateExpiry(
                  absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59), absl::UTCTimeZone()),
                  VerifierStore::kMaxExpireBatch, VerifierStore::kMaxExpireBatch)
                  .ok());
}

}  // namespace
}  // namespace bulwark::verifier::store_rules
