#include "services/verifier/store/verifier_store_conformance.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"
#include "libraries/crypto/encoding.h"

namespace bulwark::verifier {
namespace {

using Verdict = VerificationRecord::Verdict;

const absl::Time kNoDeadline = absl::InfiniteFuture();

std::string Sha256Hex(const std::string& document) {
  return absl::BytesToHexString(crypto::Sha256(document));
}

std::string PolicyDocument(const std::string& version, const std::string& extra = "") {
  return absl::StrCat("{\"version\": \"", version, "\", \"taskTypes\": {}", extra, "}\n");
}

VerificationRecord MakeVerification(const std::string& id, const std::string& task_id,
                                    absl::Time created, Verdict verdict = Verdict::kPass) {
  VerificationRecord v;
  v.verification_id = id;
  v.task_id = task_id;
  v.task_type = "signing";
  v.verdict = verdict;
  v.policy_version = "7";
  v.report = absl::StrCat("{\"verificationId\": \"", id, "\", \"links\": []}");
  v.checks_passed = 12;
  v.checks_failed = verdict == Verdict::kPass ? 0 : 3;
  v.created = created;
  return v;
}

std::vector<std::string> Ids(const std::vector<VerificationRecord>& vs) {
  std::vector<std::string> ids;
  for (const VerificationRecord& v : vs) ids.push_back(v.verification_id);
  return ids;
}

}  // namespace

// ---- Policy versions ----

TEST_P(VerifierStoreConformanceTest, RecordPolicyKeepsTheDocumentByteForByte) {
  // Not valid UTF-8, with a NUL: the store must not care what the bytes are.
  std::string bytes = std::string(",\"x\": \"") + '\0' + "\xff\xfe" + "\"";
  std::string document = PolicyDocument("7", bytes);
  ASSERT_EQ(bytes.size(), 11u);
  std::string sha = Sha256Hex(document);
  absl::Time loaded = now_ + absl::Nanoseconds(789);  // below the stores' precision
  auto recorded = store_->RecordPolicy("7", sha, document, loaded, kNoDeadline);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  PolicyRecord expected{"7", sha, document, now_, now_};
  EXPECT_EQ(*recorded, expected);
  auto got = store_->GetPolicy("7", kNoDeadline);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, expected);
  EXPECT_EQ(got->document.size(), document.size());
}

TEST_P(VerifierStoreConformanceTest, RecordingAKnownVersionAgainOnlyWidensItsLoadTimes) {
  std::string document = PolicyDocument("7");
  std::string sha = Sha256Hex(document);
  ASSERT_TRUE(store_->RecordPolicy("7", sha, document, now_, kNoDeadline).ok());
  auto later = store_->RecordPolicy("7", sha, document, now_ + absl::Hours(1), kNoDeadline);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->first_loaded, now_);
  EXPECT_EQ(later->last_loaded, now_ + absl::Hours(1));
  // A replica whose clock lags records an earlier load: first_loaded moves back, last stays.
  auto earlier = store_->RecordPolicy("7", sha, document, now_ - absl::Hours(1), kNoDeadline);
  ASSERT_TRUE(earlier.ok()) << earlier.status();
  EXPECT_EQ(earlier->first_loaded, now_ - absl::Hours(1));
  EXPECT_EQ(earlier->last_loaded, now_ + absl::Hours(1));
  // Repeating a call changes nothing.
  auto again = store_->RecordPolicy("7", sha, document, now_, kNoDeadline);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *earlier);
  EXPECT_EQ(*store_->GetPolicy("7", kNoDeadline), *earlier);
  EXPECT_EQ(store_->ListPolicies(kNoDeadline)->size(), 1u);
}

TEST_P(VerifierStoreConformanceTest, ADifferentDocumentUnderAKnownVersionIsRefused) {
  std::string first = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(first), first, now_, kNoDeadline).ok());
  std::string second = PolicyDocument("7", ", \"decisionPools\": [\"proj/decision\"]");
  absl::Status refused =
      store_->RecordPolicy("7", Sha256Hex(second), second, now_ + absl::Hours(1), kNoDeadline)
          .status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_EQ(refused.message(),
            "policy version 7 was already loaded with different content; bump the version");
  auto stored = store_->GetPolicy("7", kNoDeadline);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->document, first);
  EXPECT_EQ(stored->last_loaded, now_);  // the refused load was not noted either
}

TEST_P(VerifierStoreConformanceTest, RecordPolicyRejectsMalformedInputAndStoresNothing) {
  std::string document = PolicyDocument("7");
  std::string sha = Sha256Hex(document);
  std::string upper = absl::AsciiStrToUpper(sha);
  struct Case {
    std::string name, version, sha256, document;
    absl::Time loaded;
    std::string message;  // a part of the expected message
  };
  std::vector<Case> cases = {
      {"empty version", "", sha, document, now_, "policy version must be 1 to 128"},
      {"space in version", "7 b", sha, document, now_, "without spaces"},
      {"non-ASCII version", "v\xc3\xa9", sha, document, now_, "printable ASCII"},
      {"long version", std::string(129, '7'), sha, document, now_, "1 to 128"},
      {"uppercase sha", "7", upper, document, now_, "64 lowercase hex digits"},
      {"short sha", "7", sha.substr(2), document, now_, "64 lowercase hex digits"},
      {"sha of other bytes", "7", Sha256Hex(document + " "), document, now_,
       "is not the SHA-256 of its document (" + sha + ")"},
      {"huge document", "7", Sha256Hex(std::string(VerifierStore::kMaxPolicyBytes + 1, ' ')),
       std::string(VerifierStore::kMaxPolicyBytes + 1, ' '), now_, "bytes; at most"},
      {"no time", "7", sha, document, absl::InfinitePast(), "loaded_at must be a time"},
      {"before 1970", "7", sha, document, absl::UnixEpoch() - absl::Seconds(1),
       "loaded_at must be a time between 1970-01-01 and 9999-12-31"},
      {"far future", "7", sha, document, absl::InfiniteFuture(), "loaded_at must be a time"},
  };
  for (const Case& c : cases) {
    absl::Status s =
        store_->RecordPolicy(c.version, c.sha256, c.document, c.loaded, kNoDeadline).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name << ": " << s;
    EXPECT_TRUE(absl::StrContains(s.message(), c.message)) << c.name << ": " << s;
  }
  auto all = store_->ListPolicies(kNoDeadline);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->empty());
  // The edges of what is accepted.
  std::string longest(128, '~');
  EXPECT_TRUE(store_->RecordPolicy(longest, sha, document, absl::UnixEpoch(), kNoDeadline).ok());
  EXPECT_TRUE(store_->RecordPolicy("empty", Sha256Hex(""), "", now_, kNoDeadline).ok());
  EXPECT_EQ(store_->GetPolicy("empty", kNoDeadline)->document, "");
}

TEST_P(VerifierStoreConformanceTest, GetPolicyOfAnUnknownOrMalformedVersion) {
  absl::Status missing = store_->GetPolicy("7", kNoDeadline).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "policy version 7 was never recorded");
  EXPECT_EQ(store_->GetPolicy("", kNoDeadline).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetPolicy("a b", kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(VerifierStoreConformanceTest, LatestPolicyIsTheMostRecentlyLoaded) {
  absl::Status none = store_->LatestPolicy(kNoDeadline).status();
  EXPECT_EQ(none.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(none.message(), "no policy version has been recorded yet");
  EXPECT_TRUE(store_->ListPolicies(kNoDeadline)->empty());

  auto record = [&](const std::string& version, absl::Time at) {
    std::string document = PolicyDocument(version);
    auto r = store_->RecordPolicy(version, Sha256Hex(document), document, at, kNoDeadline);
    ASSERT_TRUE(r.ok()) << r.status();
  };
  record("6", now_);
  record("7", now_ + absl::Minutes(1));
  EXPECT_EQ(store_->LatestPolicy(kNoDeadline)->version, "7");
  // Rolled back: version 6 is loaded again and is the latest.
  record("6", now_ + absl::Minutes(2));
  auto latest = store_->LatestPolicy(kNoDeadline);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->version, "6");
  EXPECT_EQ(latest->first_loaded, now_);
  EXPECT_EQ(latest->last_loaded, now_ + absl::Minutes(2));
  EXPECT_EQ(latest->document, PolicyDocument("6"));
  // Loaded at the same microsecond: the bytewise greater version wins ("B" < "a").
  record("a", now_ + absl::Minutes(3));
  record("B", now_ + absl::Minutes(3));
  EXPECT_EQ(store_->LatestPolicy(kNoDeadline)->version, "a");

  auto all = store_->ListPolicies(kNoDeadline);
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<std::string> versions;
  for (const PolicyRecord& p : *all) versions.push_back(p.version);
  EXPECT_EQ(versions, (std::vector<std::string>{"a", "B", "6", "7"}));
  EXPECT_EQ(all->front(), *store_->LatestPolicy(kNoDeadline));
  EXPECT_EQ((*all)[3].document, PolicyDocument("7"));
}

TEST_P(VerifierStoreConformanceTest, RacingLoadersOfOneVersionAgreeOnOneDocument) {
  constexpr int kLoaders = 6;
  for (int round = 0; round < 5; ++round) {
    std::string version = absl::StrCat("race-", round);
    std::vector<std::string> documents;
    for (int i = 0; i < kLoaders; ++i) {
      documents.push_back(PolicyDocument(version, absl::StrCat(", \"loader\": ", i)));
    }
    std::vector<absl::Status> results(kLoaders);
    std::vector<std::thread> threads;
    for (int i = 0; i < kLoaders; ++i) {
      threads.emplace_back([&, i] {
        results[i] =
            store_->RecordPolicy(version, Sha256Hex(documents[i]), documents[i], now_, kNoDeadline)
                .status();
      });
    }
    for (std::thread& t : threads) t.join();
    int winner = -1;
    for (int i = 0; i < kLoaders; ++i) {
      if (results[i].ok()) {
        EXPECT_EQ(winner, -1) << "two loaders of " << version << " both succeeded";
        winner = i;
      } else {
        EXPECT_EQ(results[i].code(), absl::StatusCode::kFailedPrecondition) << results[i];
      }
    }
    ASSERT_NE(winner, -1) << "no loader of " << version << " succeeded";
    EXPECT_EQ(store_->GetPolicy(version, kNoDeadline)->document, documents[winner]);
  }
}

// ---- Verifications ----

TEST_P(VerifierStoreConformanceTest, InsertAndGetAVerification) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  VerificationRecord v = MakeVerification("fvR9ykMnQJWcNXbJ6J5N6w", "dY3gdEJYQNixQSgZ0m4Cqw",
                                          now_ + absl::Nanoseconds(999), Verdict::kFail);
  v.report = std::string(1, '\0') + "\x01" + "binary report" + "\xff";  // opaque bytes
  ASSERT_EQ(v.report.size(), 16u);
  v.checks_passed = 0;
  auto inserted = store_->InsertVerification(v, kNoDeadline);
  ASSERT_TRUE(inserted.ok()) << inserted.status();
  VerificationRecord expected = v;
  expected.created = now_;  // kept to the microsecond
  EXPECT_EQ(*inserted, expected);
  auto got = store_->GetVerification(v.verification_id, kNoDeadline);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, expected);
  EXPECT_EQ(got->verdict, Verdict::kFail);
  EXPECT_EQ(got->report, expected.report);

  VerificationRecord pass = MakeVerification("pass-1", "dY3gdEJYQNixQSgZ0m4Cqw", now_);
  ASSERT_TRUE(store_->InsertVerification(pass, kNoDeadline).ok());
  EXPECT_EQ(store_->GetVerification("pass-1", kNoDeadline)->verdict, Verdict::kPass);
  EXPECT_EQ(VerdictName(Verdict::kPass), "PASS");
  EXPECT_EQ(VerdictName(Verdict::kFail), "FAIL");
}

TEST_P(VerifierStoreConformanceTest, ReinsertingIsIdempotentButAnotherRecordUnderTheIdIsRefused) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  VerificationRecord v = MakeVerification("v1", "task-a", now_);
  ASSERT_TRUE(store_->InsertVerification(v, kNoDeadline).ok());
  auto again = store_->InsertVerification(v, kNoDeadline);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, v);

  VerificationRecord other = v;
  other.verdict = Verdict::kFail;
  other.checks_failed = 1;
  absl::Status s = store_->InsertVerification(other, kNoDeadline).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(s.message(),
            "verification v1 already exists with different content; use a new verification id");
  VerificationRecord later = v;
  later.created = now_ + absl::Microseconds(1);
  EXPECT_EQ(store_->InsertVerification(later, kNoDeadline).status().code(),
            absl::StatusCode::kAlreadyExists);
  VerificationRecord other_report = v;
  other_report.report += " ";
  EXPECT_EQ(store_->InsertVerification(other_report, kNoDeadline).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->GetVerification("v1", kNoDeadline), v);
}

TEST_P(VerifierStoreConformanceTest, AVerificationNeedsARecordedPolicyVersion) {
  absl::Status s =
      store_->InsertVerification(MakeVerification("v1", "task-a", now_), kNoDeadline).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(s.message(),
            "policy version 7 was never recorded; record a policy before verifications that use "
            "it");
  EXPECT_EQ(store_->GetVerification("v1", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(VerifierStoreConformanceTest, InsertVerificationRejectsMalformedRecords) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  struct Case {
    std::string name;
    void (*mutate)(VerificationRecord&);
    std::string message;
  };
  std::vector<Case> cases = {
      {"empty id", [](VerificationRecord& v) { v.verification_id = ""; }, "verification_id"},
      {"id with a slash", [](VerificationRecord& v) { v.verification_id = "a/b"; },
       "verification_id"},
      {"long id", [](VerificationRecord& v) { v.verification_id = std::string(65, 'a'); },
       "verification_id"},
      {"no task", [](VerificationRecord& v) { v.task_id = ""; }, "task_id must be set"},
      {"task id with a space", [](VerificationRecord& v) { v.task_id = "a b"; }, "task_id"},
      {"no task type", [](VerificationRecord& v) { v.task_type = ""; }, "task_type"},
      {"task type with a tab", [](VerificationRecord& v) { v.task_type = "a\tb"; }, "task_type"},
      {"unknown verdict", [](VerificationRecord& v) { v.verdict = static_cast<Verdict>(7); },
       "verdict must be PASS or FAIL"},
      {"bad policy version", [](VerificationRecord& v) { v.policy_version = ""; },
       "policy version"},
      {"negative count", [](VerificationRecord& v) { v.checks_failed = -1; },
       "must not be negative"},
      {"PASS with a failed check", [](VerificationRecord& v) { v.checks_failed = 1; },
       "says PASS with 12 passed and 1 failed checks"},
      {"PASS with no check at all", [](VerificationRecord& v) { v.checks_passed = 0; },
       "a PASS needs at least one passed check"},
      {"huge report",
       [](VerificationRecord& v) { v.report.assign(VerifierStore::kMaxReportBytes + 1, 'r'); },
       "bytes; at most"},
      {"no time", [](VerificationRecord& v) { v.created = absl::InfinitePast(); },
       "created must be a time"},
  };
  for (const Case& c : cases) {
    VerificationRecord v = MakeVerification("v1", "task-a", now_);
    c.mutate(v);
    absl::Status s = store_->InsertVerification(v, kNoDeadline).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name << ": " << s;
    EXPECT_TRUE(absl::StrContains(s.message(), c.message)) << c.name << ": " << s;
  }
  EXPECT_TRUE(store_->ListVerifications("", 10, "", kNoDeadline)->verifications.empty());
  // A FAIL may have any counts (the engine may fail before running a check).
  VerificationRecord fail = MakeVerification("v2", "task-a", now_, Verdict::kFail);
  fail.checks_passed = fail.checks_failed = 0;
  EXPECT_TRUE(store_->InsertVerification(fail, kNoDeadline).ok());
}

TEST_P(VerifierStoreConformanceTest, GetVerificationOfAnUnknownOrMalformedId) {
  absl::Status s = store_->GetVerification("nope", kNoDeadline).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "verification nope not found");
  EXPECT_EQ(store_->GetVerification("", kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetVerification("x' OR '1'='1", kNoDeadline).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(VerifierStoreConformanceTest, ListVerificationsNewestFirstInPages) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  // Task A: seven verifications, two pairs created in the same microsecond (ties are broken
  // by id, descending, bytewise: "a-Z" < "a-z"). Task B: three, interleaved in time.
  std::vector<VerificationRecord> a = {
      MakeVerification("a-0", "task-a", now_),
      MakeVerification("a-1", "task-a", now_ + absl::Seconds(1)),
      MakeVerification("a-z", "task-a", now_ + absl::Seconds(2)),
      MakeVerification("a-Z", "task-a", now_ + absl::Seconds(2)),
      MakeVerification("a-4", "task-a", now_ + absl::Seconds(3), Verdict::kFail),
      MakeVerification("a-6", "task-a", now_ + absl::Seconds(4)),
      MakeVerification("a-5", "task-a", now_ + absl::Seconds(4)),
  };
  std::vector<VerificationRecord> b = {
      MakeVerification("b-0", "task-b", now_ + absl::Milliseconds(500)),
      MakeVerification("b-1", "task-b", now_ + absl::Milliseconds(2500)),
      MakeVerification("b-2", "task-b", now_ + absl::Seconds(10)),
  };
  for (const auto* group : {&a, &b}) {
    for (const VerificationRecord& v : *group) {
      ASSERT_TRUE(store_->InsertVerification(v, kNoDeadline).ok()) << v.verification_id;
    }
  }

  // Walk task A three at a time.
  std::vector<VerificationRecord> walked;
  std::string token;
  int pages = 0;
  do {
    auto page = store_->ListVerifications("task-a", 3, token, kNoDeadline);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->verifications.size(), 3u);
    walked.insert(walked.end(), page->verifications.begin(), page->verifications.end());
    token = page->continuation_token;
    ASSERT_LT(++pages, 10) << "paging does not end";
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(Ids(walked),
            (std::vector<std::string>{"a-6", "a-5", "a-4", "a-z", "a-Z", "a-1", "a-0"}));
  EXPECT_EQ(walked[2], a[4]);  // whole records come back, report included

  // All tasks, in one page and in pages of one.
  std::vector<std::string> all_ids = {"b-2", "a-6", "a-5", "a-4", "b-1",
                                      "a-z", "a-Z", "a-1", "b-0", "a-0"};
  auto all = store_->ListVerifications("", 1000, "", kNoDeadline);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(Ids(all->verifications), all_ids);
  EXPECT_TRUE(all->continuation_token.empty());
  std::vector<std::string> one_by_one;
  token.clear();
  do {
    auto page = store_->ListVerifications("", 1, token, kNoDeadline);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->verifications.size(), 1u);
    one_by_one.push_back(page->verifications[0].verification_id);
    token = page->continuation_token;
    ASSERT_LE(one_by_one.size(), all_ids.size());
  } while (!token.empty());
  EXPECT_EQ(one_by_one, all_ids);

  // A page that ends exactly at the last row has no token; an unknown task lists nothing.
  auto exact = store_->ListVerifications("task-b", 3, "", kNoDeadline);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(Ids(exact->verifications), (std::vector<std::string>{"b-2", "b-1", "b-0"}));
  EXPECT_TRUE(exact->continuation_token.empty());
  auto none = store_->ListVerifications("task-c", 3, "", kNoDeadline);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->verifications.empty());
  EXPECT_TRUE(none->continuation_token.empty());
}

TEST_P(VerifierStoreConformanceTest, PagingIsStableWhileRowsAreAddedAndExpired) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(
        store_
            ->InsertVerification(
                MakeVerification(absl::StrCat("v", i), "t", now_ + absl::Seconds(i)), kNoDeadline)
            .ok());
  }
  auto first = store_->ListVerifications("t", 2, "", kNoDeadline);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Ids(first->verifications), (std::vector<std::string>{"v5", "v4"}));
  // Between pages: a newer row arrives, the oldest row expires, and a row is inserted that
  // sorts between the pages' rows.
  ASSERT_TRUE(
      store_->InsertVerification(MakeVerification("new", "t", now_ + absl::Hours(1)), kNoDeadline)
          .ok());
  EXPECT_EQ(*store_->ExpireVerifications(now_ + absl::Milliseconds(1), 100, kNoDeadline), 1);
  ASSERT_TRUE(store_
                  ->InsertVerification(
                      MakeVerification("late", "t", now_ + absl::Milliseconds(2500)), kNoDeadline)
                  .ok());
  std::vector<std::string> rest;
  std::string token = first->continuation_token;
  while (!token.empty()) {
    auto page = store_->ListVerifications("t", 2, token, kNoDeadline);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& v : page->verifications) rest.push_back(v.verification_id);
    token = page->continuation_token;
    ASSERT_LE(rest.size(), 10u);
  }
  // No repeat of v5/v4, no skip, the newer row not pulled in, the expired row gone.
  EXPECT_EQ(rest, (std::vector<std::string>{"v3", "late", "v2", "v1"}));
}

TEST_P(VerifierStoreConformanceTest, ListVerificationsRejectsBadTokensAndSizes) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_
                    ->InsertVerification(
                        MakeVerification(absl::StrCat("v", i), "task-a", now_ + absl::Seconds(i)),
                        kNoDeadline)
                    .ok());
  }
  auto page = store_->ListVerifications("task-a", 1, "", kNoDeadline);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_FALSE(page->continuation_token.empty());
  const std::string token = page->continuation_token;
  auto all_page = store_->ListVerifications("", 1, "", kNoDeadline);
  ASSERT_TRUE(all_page.ok()) << all_page.status();
  ASSERT_FALSE(all_page->continuation_token.empty());

  auto expect_invalid = [&](const std::string& task, int size, const std::string& t,
                            const std::string& message) {
    absl::Status s = store_->ListVerifications(task, size, t, kNoDeadline).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << task << " " << t << ": " << s;
    EXPECT_TRUE(absl::StrContains(s.message(), message)) << s;
  };
  const std::string not_ours = "continuation_token is not one this service issued";
  expect_invalid("task-a", 1, "not a token!", not_ours);
  expect_invalid("task-a", 1, absl::WebSafeBase64Escape("v1|task-a|x|v1"), not_ours);
  expect_invalid("task-a", 1, absl::WebSafeBase64Escape("v2|task-a|1|v1"), not_ours);
  expect_invalid("task-a", 1, absl::WebSafeBase64Escape("v1|task-a|1|v1|extra"), not_ours);
  expect_invalid("task-a", 1, absl::WebSafeBase64Escape("v1|task-a|1|bad id"), not_ours);
  expect_invalid("task-a", 1, absl::WebSafeBase64Escape("v1|task-a|-5|v1"), not_ours);
  expect_invalid("task-b", 1, token,
                 "continuation_token was issued for a listing of task task-a, not of task "
                 "task-b; start again without it");
  expect_invalid("", 1, token, "issued for a listing of task task-a, not of all tasks");
  expect_invalid("task-a", 1, all_page->continuation_token,
                 "issued for a listing of all tasks, not of task task-a");
  expect_invalid("task-a", 0, "", "page size must be between 1 and 1000");
  expect_invalid("task-a", 1001, "", "page size must be between 1 and 1000");
  expect_invalid("task a", 1, "", "task_id must be 1 to 64 characters");
  // The genuine token still works, and pages of another size may follow it.
  auto next = store_->ListVerifications("task-a", 5, token, kNoDeadline);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(Ids(next->verifications), (std::vector<std::string>{"v1", "v0"}));
}

TEST_P(VerifierStoreConformanceTest, ExpireDeletesOnlyOlderRowsOldestFirstInBatches) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        store_
            ->InsertVerification(
                MakeVerification(absl::StrCat("v", i), "t", now_ + absl::Minutes(i)), kNoDeadline)
            .ok());
  }
  absl::Time cutoff = now_ + absl::Minutes(3);  // v3 was created exactly then: it stays
  auto first = store_->ExpireVerifications(cutoff, 2, kNoDeadline);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2);
  EXPECT_EQ(store_->GetVerification("v0", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetVerification("v1", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetVerification("v2", kNoDeadline).ok());
  EXPECT_EQ(*store_->ExpireVerifications(cutoff, 2, kNoDeadline), 1);
  EXPECT_EQ(*store_->ExpireVerifications(cutoff, 2, kNoDeadline), 0);
  EXPECT_EQ(Ids(store_->ListVerifications("", 10, "", kNoDeadline)->verifications),
            (std::vector<std::string>{"v4", "v3"}));
  // Policies are not touched by expiry.
  EXPECT_TRUE(store_->GetPolicy("7", kNoDeadline).ok());

  for (int limit : {0, -1, VerifierStore::kMaxExpireBatch + 1}) {
    EXPECT_EQ(store_->ExpireVerifications(cutoff, limit, kNoDeadline).status().code(),
              absl::StatusCode::kInvalidArgument)
        << limit;
  }
  absl::Status s = store_->ExpireVerifications(absl::InfiniteFuture(), 10, kNoDeadline).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "before must be a time")) << s;
}

TEST_P(VerifierStoreConformanceTest, ConcurrentExpiryDeletesAndCountsEachRowOnce) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  constexpr int kOld = 60, kNew = 5;
  for (int i = 0; i < kOld + kNew; ++i) {
    absl::Time created = i < kOld ? now_ + absl::Seconds(i) : now_ + absl::Hours(2);
    ASSERT_TRUE(
        store_
            ->InsertVerification(MakeVerification(absl::StrCat("v", i), "t", created), kNoDeadline)
            .ok());
  }
  std::atomic<int> total{0};
  std::vector<std::thread> cleaners;
  for (int c = 0; c < 4; ++c) {
    cleaners.emplace_back([&] {
      for (;;) {
        auto n = store_->ExpireVerifications(now_ + absl::Hours(1), 7, kNoDeadline);
        ASSERT_TRUE(n.ok()) << n.status();
        EXPECT_LE(*n, 7);
        total += *n;
        if (*n == 0) break;
      }
    });
  }
  for (std::thread& t : cleaners) t.join();
  EXPECT_EQ(total.load(), kOld);
  EXPECT_EQ(store_->ListVerifications("t", 100, "", kNoDeadline)->verifications.size(),
            static_cast<size_t>(kNew));
}

TEST_P(VerifierStoreConformanceTest, ConcurrentRetriesOfOneInsertStoreOneRecord) {
  std::string document = PolicyDocument("7");
  ASSERT_TRUE(store_->RecordPolicy("7", Sha256Hex(document), document, now_, kNoDeadline).ok());
  for (int round = 0; round < 5; ++round) {
    VerificationRecord v = MakeVerification(absl::StrCat("retried-", round), "t", now_);
    VerificationRecord rival = v;
    rival.verdict = Verdict::kFail;
    rival.checks_failed = 1;
    std::vector<absl::Status> results(6);
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&, i] {
        // Five identical retries race one different record under the same id.
        results[i] = store_->InsertVerification(i == 5 ? rival : v, kNoDeadline).status();
      });
    }
    for (std::thread& t : threads) t.join();
    auto stored = store_->GetVerification(v.verification_id, kNoDeadline);
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_TRUE(*stored == v || *stored == rival);
    for (int i = 0; i < 6; ++i) {
      bool same = (i == 5 ? rival : v) == *stored;
      if (same) {
        EXPECT_TRUE(results[i].ok()) << i << ": " << results[i];
      } else {
        EXPECT_EQ(results[i].code(), absl::StatusCode::kAlreadyExists) << i << ": " << results[i];
      }
    }
  }
  EXPECT_EQ(store_->ListVerifications("t", 100, "", kNoDeadline)->verifications.size(), 5u);
}

// ---- Deadlines ----

TEST_P(VerifierStoreConformanceTest, APassedDeadlineFailsEveryMethodAndWritesNothing) {
  const absl::Time past = absl::UnixEpoch();
  std::string document = PolicyDocument("7");
  std::string sha = Sha256Hex(document);
  auto expect_deadline = [](const absl::Status& s, const char* method) {
    EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << method << ": " << s;
  };
  expect_deadline(store_->RecordPolicy("7", sha, document, now_, past).status(), "RecordPolicy");
  EXPECT_EQ(store_->GetPolicy("7", kNoDeadline).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->RecordPolicy("7", sha, document, now_, kNoDeadline).ok());
  expect_deadline(store_->GetPolicy("7", past).status(), "GetPolicy");
  expect_deadline(store_->LatestPolicy(past).status(), "LatestPolicy");
  expect_deadline(store_->ListPolicies(past).status(), "ListPolicies");
  VerificationRecord v = MakeVerification("v1", "t", now_);
  expect_deadline(store_->InsertVerification(v, past).status(), "InsertVerification");
  EXPECT_EQ(store_->GetVerification("v1", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->InsertVerification(v, kNoDeadline).ok());
  expect_deadline(store_->GetVerification("v1", past).status(), "GetVerification");
  expect_deadline(store_->ListVerifications("t", 10, "", past).status(), "ListVerifications");
  expect_deadline(store_->ExpireVerifications(now_ + absl::Hours(1), 10, past).status(),
                  "ExpireVerifications");
  EXPECT_TRUE(store_->GetVerification("v1", kNoDeadline).ok());
}

}  // namespace bulwark::verifier

namespace bulwark::verifier {

// ---- Callers who have gone (issue 14 item 3) ----

TEST_P(VerifierStoreConformanceTest, NothingIsWrittenForACallerWhoHasGone) {
  std::string document = PolicyDocument("7");
  std::string sha = Sha256Hex(document);
  ASSERT_TRUE(store_->RecordPolicy("7", sha, document, now_, kNoDeadline).ok());
  ASSERT_TRUE(store_->InsertVerification(MakeVerification("old", "t", now_), kNoDeadline).ok());
  auto policy_before = store_->GetPolicy("7", kNoDeadline);
  ASSERT_TRUE(policy_before.ok()) << policy_before.status();
  std::string other = PolicyDocument("8");
  {
    CallScope gone([] { return true; });
    auto expect_cancelled = [](const absl::Status& s, const char* method) {
      EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << method << ": " << s;
    };
    expect_cancelled(store_->RecordPolicy("8", Sha256Hex(other), other, now_, kNoDeadline).status(),
                     "RecordPolicy (new)");
    expect_cancelled(
        store_->RecordPolicy("7", sha, document, now_ + absl::Hours(1), kNoDeadline).status(),
        "RecordPolicy (known)");
    expect_cancelled(
        store_->InsertVerification(MakeVerification("new", "t", now_), kNoDeadline).status(),
        "InsertVerification");
    expect_cancelled(store_->ExpireVerifications(now_ + absl::Hours(1), 10, kNoDeadline).status(),
                     "ExpireVerifications");
  }
  EXPECT_EQ(store_->GetPolicy("8", kNoDeadline).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->GetPolicy("7", kNoDeadline), *policy_before);
  EXPECT_EQ(store_->GetVerification("new", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetVerification("old", kNoDeadline).ok());
  CallScope present([] { return false; });
  EXPECT_TRUE(store_->InsertVerification(MakeVerification("new", "t", now_), kNoDeadline).ok());
}

}  // namespace bulwark::verifier
