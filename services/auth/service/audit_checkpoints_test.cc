// AuditCheckpoints against the in-memory store: signing the head, noticing truncation and
// forged checkpoints, and reporting into the API message.
#include "services/auth/service/audit_checkpoints.h"

#include "gtest/gtest.h"
#include "libraries/proto/timestamp.h"
#include "services/auth/store/in_memory_auth_store.h"

namespace bulwark::auth {
namespace {

const absl::Time kForever = absl::InfiniteFuture();

class AuditCheckpointsTest : public ::testing::Test {
 protected:
  void Change(const std::string& id) {
    ASSERT_TRUE(store_
                    .ChangeClient(
                        id,
                        [&](const std::optional<ClientRow>&) -> absl::StatusOr<ClientChange> {
                          ClientRow row;
                          row.client_id = id;
                          row.sealed_access_token = "sealed";
                          return ClientChange{ClientChange::Kind::kUpsert, row,
                                              AuditAction{"client", id, "root", "created"}};
                        },
                        kForever)
                    .ok());
  }

  SimulatedClock clock_{absl::FromUnixMicros(1795435200123456)};
  AuditKeyring keys_ = AuditKeyring::ForTesting("audit-1");
  InMemoryAuthStore store_{clock_, keys_};
  AuditCheckpoints checkpoints_{store_, keys_, clock_};
};

TEST_F(AuditCheckpointsTest, EmptyHistoryCheckpointIsEntryZeroAndHolds) {
  EXPECT_FALSE(checkpoints_.Newest().has_value());
  auto cp = checkpoints_.Take(kForever);
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->sequence, 0);
  EXPECT_EQ(cp->hash, kAuditGenesisHash);
  EXPECT_EQ(cp->at, clock_.Now());
  EXPECT_EQ(cp->key_id, "audit-1");
  auto checked = checkpoints_.Check(*cp, kForever);
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(checked->mac_valid);
  EXPECT_TRUE(checked->history_matches) << checked->message;
}

TEST_F(AuditCheckpointsTest, CheckpointOfTheHeadHoldsAsTheHistoryGrows) {
  Change("a");
  Change("b");
  Change("c");
  auto cp = checkpoints_.Take(kForever);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->sequence, 3);
  EXPECT_EQ(cp->hash, (*store_.AuditHead(kForever))->hash);
  ASSERT_TRUE(checkpoints_.Newest().has_value());
  EXPECT_EQ(checkpoints_.Newest()->mac, cp->mac);
  Change("d");
  auto checked = checkpoints_.Check(*cp, kForever);
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(checked->mac_valid);
  EXPECT_TRUE(checked->history_matches) << checked->message;
  EXPECT_NE(checked->message.find("valid and the history still holds it"), std::string::npos);
}

TEST_F(AuditCheckpointsTest, TruncationIsNamed) {
  for (const char* id : {"a", "b", "c"}) Change(id);
  auto cp = checkpoints_.Take(kForever);
  ASSERT_TRUE(cp.ok());
  store_.TruncateAuditHistory(1);
  ASSERT_TRUE(store_.VerifyAudit(kForever)->intact);  // the shorter chain is still intact
  auto checked = checkpoints_.Check(*cp, kForever);
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(checked->mac_valid);
  EXPECT_FALSE(checked->history_matches);
  EXPECT_EQ(checked->message, "truncated: the checkpoint of " + FormatCheckpointTime(cp->at) +
                                  " covers entry 3, the history ends at 1");
  store_.TruncateAuditHistory(0);
  checked = checkpoints_.Check(*cp, kForever);
  EXPECT_NE(checked->message.find("the history ends at 0"), std::string::npos) << checked->message;

  // The next round refuses to sign over the loss, even once the history has grown back.
  for (const char* id : {"x", "y", "z", "w"}) Change(id);
  auto next = checkpoints_.Take(kForever);
  EXPECT_EQ(next.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(next.status().message().find("entry 3 no longer has the hash"), std::string::npos)
      << next.status();
  ASSERT_TRUE(checkpoints_.Newest().has_value());
  EXPECT_EQ(checkpoints_.Newest()->mac, cp->mac);
}

TEST_F(AuditCheckpointsTest, ForgedOrForeignCheckpointsFailTheMac) {
  for (const char* id : {"a", "b"}) Change(id);
  auto cp = checkpoints_.Take(kForever);
  ASSERT_TRUE(cp.ok());
  AuditCheckpoint forged = *cp;
  forged.sequence = 1;  // "the history only ever had one entry"
  forged.hash = (*store_.ListAudit("", "", 0, 1, kForever))[0].hash;
  auto checked = checkpoints_.Check(forged, kForever);
  ASSERT_TRUE(checked.ok());
  EXPECT_FALSE(checked->mac_valid);
  EXPECT_TRUE(checked->history_matches);
  EXPECT_NE(checked->message.find("MAC invalid"), std::string::npos) << checked->message;

  AuditKeyring other = AuditKeyring::ForTesting("audit-1");  // same id, another key
  AuditCheckpoint foreign = SignAuditCheckpoint(other, cp->sequence, cp->hash, cp->at);
  EXPECT_FALSE(checkpoints_.Check(foreign, kForever)->mac_valid);
}

TEST_F(AuditCheckpointsTest, ReportUsesTheRequestsCheckpointOrTheNewest) {
  v1::VerifyAuditHistoryRequest request;
  v1::AuditCheckpointCheck out;
  ASSERT_TRUE(checkpoints_.Report(request, kForever, &out).ok());
  EXPECT_FALSE(out.checked());
  EXPECT_EQ(out.source(), "replica");
  EXPECT_NE(out.message().find("has not taken an audit checkpoint yet"), std::string::npos);

  for (const char* id : {"a", "b"}) Change(id);
  auto cp = checkpoints_.Take(kForever);
  ASSERT_TRUE(cp.ok());
  out.Clear();
  ASSERT_TRUE(checkpoints_.Report(request, kForever, &out).ok());
  EXPECT_TRUE(out.checked());
  EXPECT_EQ(out.source(), "replica");
  EXPECT_EQ(out.checkpoint().sequence(), 2);
  EXPECT_TRUE(out.mac_valid());
  EXPECT_TRUE(out.history_matches());

  *request.mutable_checkpoint() = AuditCheckpoints::ToProto(*cp);
  request.mutable_checkpoint()->set_sequence(1);
  out.Clear();
  ASSERT_TRUE(checkpoints_.Report(request, kForever, &out).ok());
  EXPECT_EQ(out.source(), "request");
  EXPECT_FALSE(out.mac_valid());
}

TEST_F(AuditCheckpointsTest, MalformedCheckpointsAreInvalidArgument) {
  auto cp = checkpoints_.Take(kForever);
  ASSERT_TRUE(cp.ok());
  v1::AuditCheckpoint good = AuditCheckpoints::ToProto(*cp);
  auto round_trip = AuditCheckpoints::FromProto(good);
  ASSERT_TRUE(round_trip.ok());
  EXPECT_EQ(round_trip->at, cp->at);
  EXPECT_EQ(round_trip->mac, cp->mac);
  struct Bad {
    std::function<void(v1::AuditCheckpoint&)> edit;
    std::string says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {[](v1::AuditCheckpoint& c) { c.set_sequence(-1); }, "checkpoint.sequence"},
           {[](v1::AuditCheckpoint& c) { c.set_hash("xyz"); }, "checkpoint.hash"},
           {[](v1::AuditCheckpoint& c) { c.clear_at(); }, "checkpoint.at"},
           {[](v1::AuditCheckpoint& c) { c.mutable_at()->set_nanos(-5); }, "checkpoint.at"},
           {[](v1::AuditCheckpoint& c) { c.clear_key_id(); }, "checkpoint.key_id"},
           {[](v1::AuditCheckpoint& c) { c.set_mac(std::string(64, 'G')); }, "checkpoint.mac"},
       }) {
    v1::AuditCheckpoint c = good;
    bad.edit(c);
    v1::VerifyAuditHistoryRequest request;
    *request.mutable_checkpoint() = c;
    v1::AuditCheckpointCheck out;
    absl::Status s = checkpoints_.Report(request, kForever, &out);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad.says;
    EXPECT_NE(s.message().find(bad.says), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace bulwark::auth
