#include "services/auth/store/audit_chain.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace bulwark::auth {
namespace {

std::string Key(char fill) { return absl::Base64Escape(std::string(32, fill)); }

AuditKeyring Ring(const nlohmann::json& config) {
  auto ring = AuditKeyring::FromJson(config);
  EXPECT_TRUE(ring.ok()) << ring.status();
  return *ring;
}

AuditEntry Entry(int64_t sequence, const std::string& action) {
  AuditEntry e;
  e.sequence = sequence;
  e.entity_type = "client";
  e.entity_id = "c";
  e.client_id = "root";
  e.action = action;
  e.created = absl::FromUnixMicros(1767225600123456 + sequence);
  return e;
}

// `n` entries, the first `unkeyed` of them with the plain hash, the rest sealed by `ring`.
std::vector<AuditEntry> Chain(const AuditKeyring& ring, int n, int unkeyed = 0) {
  std::vector<AuditEntry> out;
  std::string previous = kAuditGenesisHash;
  for (int i = 1; i <= n; ++i) {
    AuditEntry e = Entry(i, "created");
    if (i <= unkeyed) {
      e.hash = AuditHash(previous, e);
    } else {
      SealAuditEntry(ring, previous, &e);
    }
    previous = e.hash;
    out.push_back(e);
  }
  return out;
}

TEST(AuditKeyringTest, ParsesAndRefusesWithClearMessages) {
  AuditKeyring ring =
      Ring({{{"id", "a-1"}, {"key", Key('a')}}, {{"id", "a-2"}, {"key", Key('b')}}});
  EXPECT_EQ(ring.current_key_id(), "a-2");
  ASSERT_NE(ring.Find("a-1"), nullptr);
  EXPECT_EQ(*ring.Find("a-1"), std::string(32, 'a'));
  EXPECT_EQ(ring.Find("zzz"), nullptr);

  struct Bad {
    nlohmann::json config;
    std::string says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {nlohmann::json::array(), "non-empty list"},
           {nlohmann::json::object(), "non-empty list"},
           {{{{"id", "a"}, {"key", absl::Base64Escape(std::string(31, 'x'))}}}, "at least 32"},
           {{{{"id", "a"}, {"key", "not base64!"}}}, "base64"},
           {{{{"id", "bad id"}, {"key", Key('a')}}}, "id must be"},
           {{{{"id", "a"}, {"key", Key('a')}}, {{"id", "a"}, {"key", Key('b')}}}, "duplicate"},
           {{{{"id", "a"}, {"key", Key('a')}, {"extra", 1}}}, "unknown field 'extra'"},
       }) {
    auto ring = AuditKeyring::FromJson(bad.config);
    ASSERT_FALSE(ring.ok()) << bad.config.dump();
    EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(ring.status().message().find(bad.says), std::string::npos) << ring.status();
    EXPECT_EQ(ring.status().message().find(Key('a')), std::string::npos);  // no key material
  }
  // Longer keys are fine.
  EXPECT_TRUE(
      AuditKeyring::FromJson({{{"id", "a"}, {"key", absl::Base64Escape(std::string(64, 'k'))}}})
          .ok());
}

TEST(AuditChainTest, KeyedHashIsHmacUnderTheKeyAndDiffersFromThePlainHash) {
  AuditKeyring ring = Ring({{{"id", "k"}, {"key", Key('k')}}});
  AuditEntry e = Entry(1, "created");
  SealAuditEntry(ring, kAuditGenesisHash, &e);
  EXPECT_EQ(e.key_id, "k");
  EXPECT_EQ(e.hash, AuditMac(std::string(32, 'k'), kAuditGenesisHash, e));
  EXPECT_NE(e.hash, AuditHash(kAuditGenesisHash, e));
  EXPECT_NE(e.hash, AuditMac(std::string(32, 'j'), kAuditGenesisHash, e));
  EXPECT_EQ(e.hash.size(), 64u);
  // Every field is covered.
  AuditEntry other = e;
  other.entity_id = "d";
  EXPECT_NE(AuditMac("key", kAuditGenesisHash, other), AuditMac("key", kAuditGenesisHash, e));
  other = e;
  other.created += absl::Microseconds(1);
  EXPECT_NE(AuditMac("key", kAuditGenesisHash, other), AuditMac("key", kAuditGenesisHash, e));
}

TEST(AuditChainTest, IntactChainsVerifyIncludingUnkeyedPrefixAndOldKeys) {
  AuditKeyring old_ring = Ring({{{"id", "old"}, {"key", Key('o')}}});
  AuditKeyring both =
      Ring({{{"id", "old"}, {"key", Key('o')}}, {{"id", "new"}, {"key", Key('n')}}});
  std::vector<AuditEntry> chain = Chain(old_ring, 4, /*unkeyed=*/2);
  // Continue under the new current key.
  AuditEntry next = Entry(5, "updated");
  SealAuditEntry(both, chain.back().hash, &next);
  EXPECT_EQ(next.key_id, "new");
  chain.push_back(next);
  AuditVerification v = VerifyAuditChain(chain, both);
  EXPECT_TRUE(v.intact) << v.message;
  EXPECT_EQ(v.entries_checked, 5);
  EXPECT_TRUE(VerifyAuditChain({}, both).intact);
}

TEST(AuditChainTest, RecomputedPlainHashesAreCaught) {
  AuditKeyring ring = Ring({{{"id", "k"}, {"key", Key('k')}}});
  std::vector<AuditEntry> chain = Chain(ring, 5);
  // An attacker without the key edits entry 3 and rewrites 3..5 with the plain hash.
  chain[2].action = "nothing-happened";
  for (int i = 2; i < 5; ++i) {
    chain[i].key_id = "";
    chain[i].hash = AuditHash(chain[i - 1].hash, chain[i]);
  }
  AuditVerification v = VerifyAuditChain(chain, ring);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_sequence, 3);
  EXPECT_NE(v.message.find("entry 3 is unkeyed but follows keyed entry 1"), std::string::npos)
      << v.message;
  // Keeping the key id but recomputing with SHA-256 fails the MAC.
  for (int i = 2; i < 5; ++i) {
    chain[i].key_id = "k";
    chain[i].hash = AuditHash(chain[i - 1].hash, chain[i]);
  }
  v = VerifyAuditChain(chain, ring);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_sequence, 3);
  EXPECT_NE(v.message.find("does not match its keyed hash"), std::string::npos) << v.message;
}

TEST(AuditChainTest, ForeignKeysAndUnknownKeyIdsAreCaught) {
  AuditKeyring ring = Ring({{{"id", "k"}, {"key", Key('k')}}});
  AuditKeyring attacker_same_id = Ring({{{"id", "k"}, {"key", Key('x')}}});
  AuditKeyring attacker_own_id = Ring({{{"id", "mine"}, {"key", Key('x')}}});
  std::vector<AuditEntry> chain = Chain(ring, 4);
  std::vector<AuditEntry> forged = chain;
  forged[1].action = "nothing-happened";
  for (int i = 1; i < 4; ++i) SealAuditEntry(attacker_same_id, forged[i - 1].hash, &forged[i]);
  AuditVerification v = VerifyAuditChain(forged, ring);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_sequence, 2);

  forged = chain;
  for (int i = 2; i < 4; ++i) SealAuditEntry(attacker_own_id, forged[i - 1].hash, &forged[i]);
  v = VerifyAuditChain(forged, ring);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_sequence, 3);
  EXPECT_NE(v.message.find("names audit key 'mine', which is not in the audit keyring"),
            std::string::npos)
      << v.message;
}

TEST(AuditChainTest, GapsAreCaught) {
  AuditKeyring ring = Ring({{{"id", "k"}, {"key", Key('k')}}});
  std::vector<AuditEntry> chain = Chain(ring, 4);
  chain.erase(chain.begin() + 1);
  AuditVerification v = VerifyAuditChain(chain, ring);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_sequence, 2);
  EXPECT_NE(v.message.find("entry 2 is missing"), std::string::npos) << v.message;
}

TEST(AuditCheckpointTest, SignedCheckpointsVerifyAndEveryFieldIsCovered) {
  AuditKeyring ring = Ring({{{"id", "k"}, {"key", Key('k')}}});
  absl::Time at = absl::FromUnixMicros(1767225600123456);
  AuditCheckpoint cp = SignAuditCheckpoint(ring, 7, std::string(64, 'a'), at);
  EXPECT_EQ(cp.key_id, "k");
  EXPECT_EQ(cp.at, at);
  EXPECT_EQ(CheckAuditCheckpointMac(ring, cp), "");

  AuditCheckpoint edited = cp;
  edited.sequence = 3;
  EXPECT_NE(CheckAuditCheckpointMac(ring, edited).find("does not match"), std::string::npos);
  edited = cp;
  edited.hash = std::string(64, 'b');
  EXPECT_NE(CheckAuditCheckpointMac(ring, edited), "");
  edited = cp;
  edited.at += absl::Seconds(1);
  EXPECT_NE(CheckAuditCheckpointMac(ring, edited), "");
  edited = cp;
  edited.key_id = "other";
  EXPECT_NE(CheckAuditCheckpointMac(ring, edited).find("'other', which is not in the audit"),
            std::string::npos);
  AuditKeyring other = Ring({{{"id", "k"}, {"key", Key('z')}}});
  EXPECT_NE(CheckAuditCheckpointMac(other, cp), "");

  // A checkpoint's MAC is not an entry's MAC over anything (domain separation).
  AuditEntry e = Entry(7, "created");
  SealAuditEntry(ring, std::string(64, 'a'), &e);
  EXPECT_NE(e.hash, cp.mac);
}

TEST(AuditCheckpointTest, TimesRoundTripExactlyAndBadTimesAreRefused) {
  absl::Time at = absl::FromUnixMicros(1767225600123456);
  std::string text = FormatCheckpointTime(at);
  EXPECT_EQ(text, "2026-01-01T00:00:00.123456Z");
  auto parsed = ParseCheckpointTime(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, at);
  EXPECT_EQ(*ParseCheckpointTime("2026-01-01T00:00:00.123456+00:00"), at);
  EXPECT_EQ(ParseCheckpointTime("yesterday").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCheckpointTime("").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::auth
