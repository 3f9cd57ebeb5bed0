#include "services/verifier/store/attestation_store_conformance.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"

namespace bulwark::verifier {
namespace {

const absl::Time kNoDeadline = absl::InfiniteFuture();

AttestationRecord Make(const std::string& id, const std::string& task_id, absl::Time created,
                       const std::string& key_id = "verifier-1") {
  AttestationRecord a;
  a.verification_id = id;
  a.task_id = task_id;
  a.run_id = 0;
  a.key_id = key_id;
  a.envelope = absl::StrCat("{\"payload\":\"", id, "\",\"payloadType\":\"t\",\"signatures\":[]}");
  a.created = created;
  a.expires = created + absl::Hours(24 * 365);
  return a;
}

std::vector<std::string> Ids(const std::vector<AttestationRecord>& as) {
  std::vector<std::string> ids;
  for (const AttestationRecord& a : as) ids.push_back(a.verification_id);
  return ids;
}

}  // namespace

TEST_P(AttestationStoreConformanceTest, InsertedAttestationIsTheTasksLatest) {
  AttestationRecord a = Make("v1", "task-a", now_ + absl::Nanoseconds(700));
  a.run_id = 2;
  a.envelope = std::string("binary\0bytes\xff", 13);
  auto stored = store_->InsertAttestation(a, kNoDeadline);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->created, now_);  // kept to the microsecond
  auto got = store_->LatestAttestation("task-a", kNoDeadline);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, *stored);
  EXPECT_EQ(got->envelope, a.envelope);
  EXPECT_EQ(got->run_id, 2);
}

TEST_P(AttestationStoreConformanceTest, RetryIsIdempotentAndOtherContentConflicts) {
  AttestationRecord a = Make("v1", "task-a", now_);
  ASSERT_TRUE(store_->InsertAttestation(a, kNoDeadline).ok());
  EXPECT_TRUE(store_->InsertAttestation(a, kNoDeadline).ok());
  AttestationRecord other = a;
  other.envelope += " ";
  EXPECT_EQ(store_->InsertAttestation(other, kNoDeadline).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->LatestAttestation("task-a", kNoDeadline)->envelope, a.envelope);
}

TEST_P(AttestationStoreConformanceTest, LatestIsTheNewestOfTheTask) {
  ASSERT_TRUE(store_->InsertAttestation(Make("v1", "task-a", now_), kNoDeadline).ok());
  ASSERT_TRUE(
      store_->InsertAttestation(Make("v2", "task-a", now_ + absl::Seconds(1)), kNoDeadline).ok());
  ASSERT_TRUE(
      store_->InsertAttestation(Make("v3", "task-b", now_ + absl::Seconds(2)), kNoDeadline).ok());
  EXPECT_EQ(store_->LatestAttestation("task-a", kNoDeadline)->verification_id, "v2");
  EXPECT_EQ(store_->LatestAttestation("task-b", kNoDeadline)->verification_id, "v3");
  auto missing = store_->LatestAttestation("task-c", kNoDeadline);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("task-c"), std::string::npos);
  EXPECT_EQ(store_->LatestAttestation("", kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LatestAttestation("a b", kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AttestationStoreConformanceTest, ListPagesNewestFirstWithTheFilter) {
  std::vector<std::string> all;
  for (int i = 0; i < 7; ++i) {
    std::string id = absl::StrCat("v", i);
    ASSERT_TRUE(store_
                    ->InsertAttestation(
                        Make(id, i % 2 == 0 ? "task-a" : "task-b", now_ + absl::Seconds(i / 2)),
                        kNoDeadline)
                    .ok());
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store_->ListAttestations("", 3, token, kNoDeadline);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const std::string& id : Ids(page->attestations)) seen.push_back(id);
    token = page->continuation_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  // Same-second ties break on the id, descending.
  EXPECT_EQ(seen, (std::vector<std::string>{"v6", "v5", "v4", "v3", "v2", "v1", "v0"}));
  EXPECT_EQ(pages, 3);
  auto a = store_->ListAttestations("task-a", 2, "", kNoDeadline);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Ids(a->attestations), (std::vector<std::string>{"v6", "v4"}));
  ASSERT_FALSE(a->continuation_token.empty());
  auto rest = store_->ListAttestations("task-a", 2, a->continuation_token, kNoDeadline);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Ids(rest->attestations), (std::vector<std::string>{"v2", "v0"}));
  // A token is bound to its filter, and foreign tokens are refused.
  EXPECT_EQ(
      store_->ListAttestations("task-b", 2, a->continuation_token, kNoDeadline).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListAttestations("", 2, "bm9wZQ", kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListAttestations("", 0, "", kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListAttestations("", AttestationStore::kMaxPageSize + 1, "", kNoDeadline)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AttestationStoreConformanceTest, MalformedRecordsAreRefused) {
  std::vector<std::function<void(AttestationRecord&)>> edits = {
      [](AttestationRecord& a) { a.verification_id = ""; },
      [](AttestationRecord& a) { a.verification_id = "a b"; },
      [](AttestationRecord& a) { a.task_id = ""; },
      [](AttestationRecord& a) { a.run_id = -1; },
      [](AttestationRecord& a) { a.key_id = ""; },
      [](AttestationRecord& a) { a.key_id = "key/1"; },
      [](AttestationRecord& a) { a.envelope = ""; },
      [](AttestationRecord& a) {
        a.envelope = std::string(AttestationStore::kMaxEnvelopeBytes + 1, 'x');
      },
      [](AttestationRecord& a) { a.expires = a.created; },
      [](AttestationRecord& a) { a.created = absl::InfinitePast(); },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    AttestationRecord a = Make("v1", "task-a", now_);
    edits[i](a);
    EXPECT_EQ(store_->InsertAttestation(a, kNoDeadline).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "edit " << i;
  }
  EXPECT_EQ(store_->LatestAttestation("task-a", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  AttestationRecord dotted = Make("v1", "task-a", now_, "verifier-2026.11:a_b");
  EXPECT_TRUE(store_->InsertAttestation(dotted, kNoDeadline).ok());
}

TEST_P(AttestationStoreConformanceTest, ExpiryDeletesSoonestFirstInBatches) {
  for (int i = 0; i < 5; ++i) {
    AttestationRecord a = Make(absl::StrCat("v", i), "task-a", now_);
    a.expires = now_ + absl::Hours(10 - i);  // v4 expires first
    ASSERT_TRUE(store_->InsertAttestation(a, kNoDeadline).ok());
  }
  // Expiring before now_ + 8h: v4 (6h), v3 (7h); in batches of one.
  auto first = store_->ExpireAttestations(now_ + absl::Hours(8), 1, kNoDeadline);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(store_->ListAttestations("", 10, "", kNoDeadline)->attestations.size(), 4u);
  std::set<std::string> left;
  auto listed = store_->ListAttestations("", 10, "", kNoDeadline);
  ASSERT_TRUE(listed.ok()) << listed.status();
  for (const AttestationRecord& a : listed->attestations) left.insert(a.verification_id);
  EXPECT_EQ(left.count("v4"), 0u);
  EXPECT_EQ(*store_->ExpireAttestations(now_ + absl::Hours(8), 10, kNoDeadline), 1);
  EXPECT_EQ(*store_->ExpireAttestations(now_ + absl::Hours(8), 10, kNoDeadline), 0);
  EXPECT_EQ(store_->ListAttestations("", 10, "", kNoDeadline)->attestations.size(), 3u);
  EXPECT_EQ(store_->ExpireAttestations(now_, 0, kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AttestationStoreConformanceTest, LatestExpiryByKeyTellsWhenAnOldKeyMayGo) {
  auto empty = store_->LatestExpiryByKey(kNoDeadline);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
  AttestationRecord a = Make("v1", "task-a", now_, "old");
  AttestationRecord b = Make("v2", "task-b", now_ + absl::Hours(1), "old");
  AttestationRecord c = Make("v3", "task-c", now_ + absl::Hours(2), "new");
  for (const AttestationRecord& r : {a, b, c})
    ASSERT_TRUE(store_->InsertAttestation(r, kNoDeadline).ok());
  auto by_key = store_->LatestExpiryByKey(kNoDeadline);
  ASSERT_TRUE(by_key.ok()) << by_key.status();
  EXPECT_EQ(by_key->size(), 2u);
  EXPECT_EQ(by_key->at("old"), b.expires);
  EXPECT_EQ(by_key->at("new"), c.expires);
}

TEST_P(AttestationStoreConformanceTest, APassedDeadlineFails) {
  EXPECT_EQ(store_->LatestAttestation("task-a", absl::InfinitePast()).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(
      store_->InsertAttestation(Make("v1", "task-a", now_), absl::InfinitePast()).status().code(),
      absl::StatusCode::kDeadlineExceeded);
}

}  // namespace bulwark::verifier

namespace bulwark::verifier {

// Issue 14 item 3: nothing is written for a caller who has gone (CallScope).
TEST_P(AttestationStoreConformanceTest, NothingIsWrittenForACallerWhoHasGone) {
  AttestationRecord kept = Make("v1", "task-a", now_);
  ASSERT_TRUE(store_->InsertAttestation(kept, kNoDeadline).ok());
  {
    CallScope gone([] { return true; });
    absl::Status s = store_->InsertAttestation(Make("v2", "task-b", now_), kNoDeadline).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
    s = store_->ExpireAttestations(now_ + absl::Hours(24 * 400), 10, kNoDeadline).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  }
  EXPECT_EQ(store_->LatestAttestation("task-b", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->LatestAttestation("task-a", kNoDeadline).ok());
  CallScope present([] { return false; });
  EXPECT_TRUE(store_->InsertAttestation(Make("v2", "task-b", now_), kNoDeadline).ok());
}

}  // namespace bulwark::verifier
