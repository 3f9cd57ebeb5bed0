#include "libraries/crypto/keyring.h"

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libraries/crypto/encoding.h"
#include "libraries/crypto/random.h"
#include "nlohmann/json.hpp"

namespace bulwark::crypto {
namespace {

using nlohmann::json;

constexpr char kToken[] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh";  // 44 chars
constexpr char kRowA[] = "client:alice";
constexpr char kRowB[] = "client:bob";

// A keyring entry with a distinct, recognisable key for each id.
json Entry(const std::string& id, char fill) {
  return {{"id", id}, {"key", Base64Encode(std::string(32, fill))}};
}

Keyring Ring(const json& config, Random& random) {
  absl::StatusOr<Keyring> ring = Keyring::FromJson(config, random);
  EXPECT_TRUE(ring.ok()) << ring.status();
  return *std::move(ring);
}

std::string Seal(const Keyring& ring, const std::string& plaintext, const std::string& ad) {
  absl::StatusOr<std::string> sealed = ring.Encrypt(plaintext, ad);
  EXPECT_TRUE(sealed.ok()) << sealed.status();
  return sealed.value_or("");
}

class KeyringTest : public ::testing::Test {
 protected:
  SeededRandom random_{42};
};

TEST_F(KeyringTest, SealsAndOpens) {
  Keyring ring = Ring(json::array({Entry("k1", 'a')}), random_);
  std::string sealed = Seal(ring, kToken, kRowA);
  absl::StatusOr<std::string> opened = ring.Decrypt(sealed, kRowA);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, kToken);
  EXPECT_FALSE(absl::StrContains(sealed, kToken));
}

TEST_F(KeyringTest, FromFileReadsTheSameJsonAndNamesABadFile) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/keyring.json", bad = dir + "/not-json.json";
  std::ofstream(good) << json::array({Entry("k1", 'a')}).dump();
  std::ofstream(bad) << "{not json";
  absl::StatusOr<Keyring> ring = Keyring::FromFile(good, random_);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(
      *ring->Decrypt(Seal(Ring(json::array({Entry("k1", 'a')}), random_), kToken, kRowA), kRowA),
      kToken);
  absl::Status s = Keyring::FromFile(bad, random_).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), bad)) << s;
  s = Keyring::FromFile(dir + "/missing.json", random_).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "missing.json")) << s;
}

TEST_F(KeyringTest, SealedValueHasTheDocumentedFormat) {
  Keyring ring = Ring(json::array({Entry("2026-11", 'a')}), random_);
  std::string sealed = Seal(ring, kToken, kRowA);
  std::vector<std::string> parts = absl::StrSplit(sealed, '.');
  ASSERT_EQ(parts.size(), 5u) << sealed;
  EXPECT_EQ(parts[0], "v1");
  EXPECT_EQ(parts[1], "2026-11");
  std::string iv, ct, tag;
  ASSERT_TRUE(Base64UrlDecode(parts[2], &iv));
  ASSERT_TRUE(Base64UrlDecode(parts[3], &ct));
  ASSERT_TRUE(Base64UrlDecode(parts[4], &tag));
  EXPECT_EQ(iv.size(), 12u);
  EXPECT_EQ(ct.size(), std::string(kToken).size());
  EXPECT_EQ(tag.size(), 16u);
}

TEST_F(KeyringTest, KeyIdsWithDotsStillParse) {
  Keyring ring = Ring(json::array({Entry("2026.11:a", 'a')}), random_);
  std::string sealed = Seal(ring, kToken, kRowA);
  EXPECT_TRUE(absl::StartsWith(sealed, "v1.2026.11:a.")) << sealed;
  absl::StatusOr<std::string> opened = ring.Decrypt(sealed, kRowA);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, kToken);
}

TEST_F(KeyringTest, IvComesFromTheInjectedRandomAndIsFreshEachTime) {
  SeededRandom r1(7), r2(7);
  Keyring a = Ring(json::array({Entry("k1", 'a')}), r1);
  Keyring b = Ring(json::array({Entry("k1", 'a')}), r2);
  std::string first = Seal(a, kToken, kRowA);
  EXPECT_EQ(first, Seal(b, kToken, kRowA));  // same seed, same IV, same output
  std::string second = Seal(a, kToken, kRowA);
  EXPECT_NE(first, second);  // next IV
  EXPECT_NE(std::vector<std::string>(absl::StrSplit(first, '.'))[2],
            std::vector<std::string>(absl::StrSplit(second, '.'))[2]);
  EXPECT_EQ(a.Decrypt(second, kRowA).value_or(""), kToken);
}

TEST_F(KeyringTest, EmptyPlaintextRoundTrips) {
  Keyring ring = Ring(json::array({Entry("k1", 'a')}), random_);
  std::string sealed = Seal(ring, "", kRowA);
  absl::StatusOr<std::string> opened = ring.Decrypt(sealed, kRowA);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "");
  EXPECT_EQ(ring.Decrypt(sealed, kRowB).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, RotationKeepsOldValuesReadableAndMovesNewOnesForward) {
  // Before: only k1.
  Keyring before = Ring(json::array({Entry("k1", 'a')}), random_);
  std::string old_sealed = Seal(before, kToken, kRowA);
  EXPECT_TRUE(absl::StartsWith(old_sealed, "v1.k1.")) << old_sealed;
  EXPECT_FALSE(before.NeedsReencrypt(old_sealed).value());

  // Rotate: k2 appended, so it is current.
  Keyring rotated = Ring(json::array({Entry("k1", 'a'), Entry("k2", 'b')}), random_);
  EXPECT_EQ(rotated.current_key_id(), "k2");
  EXPECT_EQ(rotated.Decrypt(old_sealed, kRowA).value_or("<failed>"), kToken);
  EXPECT_TRUE(rotated.NeedsReencrypt(old_sealed).value());
  std::string new_sealed = Seal(rotated, kToken, kRowA);
  EXPECT_TRUE(absl::StartsWith(new_sealed, "v1.k2.")) << new_sealed;
  EXPECT_FALSE(rotated.NeedsReencrypt(new_sealed).value());
  absl::StatusOr<std::string> moved = rotated.Reencrypt(old_sealed, kRowA);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_TRUE(absl::StartsWith(*moved, "v1.k2.")) << *moved;
  EXPECT_EQ(rotated.Decrypt(*moved, kRowA).value_or("<failed>"), kToken);

  // Retire k1: values still sealed with it fail clearly; the rest still open.
  Keyring retired = Ring(json::array({Entry("k2", 'b')}), random_);
  absl::Status gone = retired.Decrypt(old_sealed, kRowA).status();
  EXPECT_EQ(gone.code(), absl::StatusCode::kFailedPrecondition) << gone;
  EXPECT_TRUE(absl::StrContains(gone.message(), "\"k1\"")) << gone;
  EXPECT_EQ(retired.Decrypt(new_sealed, kRowA).value_or("<failed>"), kToken);
  EXPECT_EQ(retired.Decrypt(*moved, kRowA).value_or("<failed>"), kToken);
}

TEST_F(KeyringTest, AssociatedDataBindsTheValueToItsRow) {
  Keyring ring = Ring(json::array({Entry("k1", 'a')}), random_);
  std::string sealed = Seal(ring, kToken, kRowA);
  absl::Status moved = ring.Decrypt(sealed, kRowB).status();
  EXPECT_EQ(moved.code(), absl::StatusCode::kDataLoss) << moved;
  EXPECT_FALSE(absl::StrContains(moved.message(), kToken));
  EXPECT_EQ(ring.Decrypt(sealed, "").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ring.Decrypt(sealed, std::string(kRowA) + " ").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, EveryChangedCharacterIsDetected) {
  Keyring ring = Ring(json::array({Entry("k1", 'a'), Entry("k2", 'b')}), random_);
  std::string sealed = Seal(ring, kToken, kRowA);
  const std::string prefix = "v1.k2.";
  ASSERT_TRUE(absl::StartsWith(sealed, prefix));
  for (size_t i = prefix.size(); i < sealed.size(); ++i) {
    if (sealed[i] == '.') continue;
    std::string tampered = sealed;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    absl::Status status = ring.Decrypt(tampered, kRowA).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << "position " << i << ": " << status;
  }
}

TEST_F(KeyringTest, SwappingTheKeyIdIsDetected) {
  // k2's ciphertext relabelled as k1's: the kid is authenticated, and it is the
  // wrong key.
  Keyring ring = Ring(json::array({Entry("k1", 'a'), Entry("k2", 'b')}), random_);
  std::string sealed = Seal(ring, kToken, kRowA);
  std::string relabelled = "v1.k1." + sealed.substr(std::string("v1.k2.").size());
  EXPECT_EQ(ring.Decrypt(relabelled, kRowA).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, SameKeyUnderAnotherIdDoesNotOpen) {
  // Even with identical key bytes, the kid is part of the authenticated data.
  Keyring ring = Ring(json::array({Entry("k1", 'a'), Entry("k2", 'a')}), random_);
  std::string sealed = Seal(ring, kToken, kRowA);
  std::string relabelled = "v1.k1." + sealed.substr(std::string("v1.k2.").size());
  EXPECT_EQ(ring.Decrypt(relabelled, kRowA).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, MalformedValuesAreDataLoss) {
  Keyring ring = Ring(json::array({Entry("k1", 'a')}), random_);
  std::string sealed = Seal(ring, kToken, kRowA);
  std::vector<std::string> parts = absl::StrSplit(sealed, '.');
  std::vector<std::string> bad = {
      "",
      "v1",
      "v1.",
      kToken,
      "v2" + sealed.substr(2),                                      // unknown version
      sealed.substr(0, sealed.size() - 1),                          // truncated tag
      sealed + "AA",                                                // longer tag
      parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3],  // no tag
      parts[0] + "." + parts[1] + "." + parts[3] + "." + parts[2] + "." + parts[4],   // swapped
      parts[0] + "." + parts[1] + "." + parts[2] + "=." + parts[3] + "." + parts[4],  // padding
      "v1.k 1." + parts[2] + "." + parts[3] + "." + parts[4],                         // invalid kid
      "{\"kid\":\"k1\"}",
  };
  for (const std::string& value : bad) {
    absl::Status status = ring.Decrypt(value, kRowA).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << value << ": " << status;
  }
  EXPECT_EQ(ring.NeedsReencrypt("garbage").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, OversizedInputIsRefused) {
  Keyring ring = Ring(json::array({Entry("k1", 'a')}), random_);
  std::string big(Keyring::kMaxInputBytes + 1, 'x');
  EXPECT_EQ(ring.Encrypt(big, kRowA).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ring.Encrypt(kToken, big).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, CopiesOutliveTheOriginal) {
  std::string sealed;
  absl::StatusOr<Keyring> copy = absl::InvalidArgumentError("unset");
  {
    Keyring ring = Ring(json::array({Entry("k1", 'a')}), random_);
    sealed = Seal(ring, kToken, kRowA);
    copy = ring;
  }
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->Decrypt(sealed, kRowA).value_or(""), kToken);
  EXPECT_EQ(copy->key_ids(), std::vector<std::string>{"k1"});
}

struct BadConfig {
  const char* name;
  json config;
  const char* expected;  // substring of the error message
};

TEST_F(KeyringTest, FromJsonRejectsBadConfigurationNamingTheEntry) {
  const std::string secret = Base64Encode(std::string(32, 's'));
  const std::string short_key = Base64Encode(std::string(16, 's'));
  std::vector<BadConfig> cases = {
      {"not a list", json::object({{"id", "k1"}, {"key", secret}}), "expected a JSON list"},
      {"empty", json::array(), "at least one key"},
      {"entry not object", json::array({"k1"}), "keyring[0]: expected an object"},
      {"missing id", json::array({{{"key", secret}}}), "keyring[0]: \"id\""},
      {"empty id", json::array({{{"id", ""}, {"key", secret}}}), "keyring[0]: \"id\""},
      {"id with space", json::array({{{"id", "k 1"}, {"key", secret}}}), "keyring[0]: \"id\""},
      {"numeric id", json::array({{{"id", 1}, {"key", secret}}}), "keyring[0]: \"id\""},
      {"duplicate id",
       json::array({{{"id", "k1"}, {"key", secret}}, {{"id", "k1"}, {"key", secret}}}),
       "keyring[1] (id \"k1\"): duplicate key id"},
      {"missing key", json::array({{{"id", "k1"}}}), "keyring[0] (id \"k1\"): \"key\""},
      {"short key", json::array({Entry("k0", 'x'), {{"id", "k1"}, {"key", short_key}}}),
       "keyring[1] (id \"k1\"): \"key\" must be standard base64 of exactly 32 "
       "bytes"},
      {"long key", json::array({{{"id", "k1"}, {"key", Base64Encode(std::string(33, 's'))}}}),
       "exactly 32 bytes"},
      {"not base64", json::array({{{"id", "k1"}, {"key", secret + "!"}}}), "standard base64"},
      {"url-safe base64",
       json::array({{{"id", "k1"}, {"key", Base64UrlEncode(std::string(32, '\xfb'))}}}),
       "standard base64"},
      {"unknown field", json::array({{{"id", "k1"}, {"key", secret}, {"algo", "aes-256"}}}),
       "unknown field \"algo\""},
  };
  for (const BadConfig& c : cases) {
    absl::StatusOr<Keyring> ring = Keyring::FromJson(c.config, random_);
    ASSERT_FALSE(ring.ok()) << c.name;
    EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StrContains(ring.status().message(), c.expected))
        << c.name << ": " << ring.status();
    EXPECT_FALSE(absl::StrContains(ring.status().message(), secret)) << c.name;
    EXPECT_FALSE(absl::StrContains(ring.status().message(), short_key)) << c.name;
  }
}

TEST_F(KeyringTest, CreateValidatesRawKeys) {
  EXPECT_EQ(Keyring::Create({}, random_).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Keyring::Create({{"k1", std::string(31, 'x')}}, random_).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Keyring> ring =
      Keyring::Create({{"k1", std::string(32, 'x')}, {"k2", std::string(32, 'y')}}, random_);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->current_key_id(), "k2");
  EXPECT_EQ(ring->key_ids(), (std::vector<std::string>{"k1", "k2"}));
}

TEST_F(KeyringTest, GeneratedEntriesLoadAndDiffer) {
  absl::StatusOr<json> e1 = GenerateKeyringEntry("k1", Random::Secure());
  absl::StatusOr<json> e2 = GenerateKeyringEntry("k2", Random::Secure());
  ASSERT_TRUE(e1.ok() && e2.ok());
  EXPECT_NE((*e1)["key"], (*e2)["key"]);
  Keyring ring = Ring(json::array({*e1, *e2}), Random::Secure());
  std::string sealed = Seal(ring, kToken, kRowA);
  EXPECT_EQ(ring.Decrypt(sealed, kRowA).value_or(""), kToken);
  EXPECT_EQ(GenerateKeyringEntry("bad id", random_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, ConcurrentUseWithTheSecureRandom) {
  Keyring ring = Ring(json::array({Entry("k1", 'a'), Entry("k2", 'b')}), Random::Secure());
  std::atomic<int> opened{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        std::string ad = "client:" + std::to_string(t) + "/" + std::to_string(i);
        absl::StatusOr<std::string> sealed = ring.Encrypt(kToken, ad);
        if (!sealed.ok()) continue;
        if (ring.Decrypt(*sealed, ad).value_or("") == kToken) ++opened;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(opened.load(), 400);
}

}  // namespace
}  // namespace bulwark::crypto
