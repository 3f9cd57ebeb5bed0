// The audit history against its real threat: someone who can write auth's tables in
// PostgreSQL (here the schema's owner role, bulwark_auth_owner) but does not hold the audit key,
// which lives only in auth's configuration. Each attack is what such a person can do; each must
// be reported by VerifyAudit (the keyed chain) or by the checkpoint check.
#include <functional>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libraries/pg/pg_test_database.h"
#include "services/auth/schema/migrations.h"
#include "services/auth/service/audit_checkpoints.h"
#include "services/auth/store/postgres_auth_store.h"

namespace bulwark::auth {
namespace {

const absl::Time kForever = absl::InfiniteFuture();

class AuditAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = pg::PgServiceDatabase::Create(schema::AuthMigrations());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    store_ = std::make_unique<PostgresAuthStore>(*db_->pool, keys_);
    checkpoints_ = std::make_unique<AuditCheckpoints>(*store_, keys_, clock_);
    for (int i = 1; i <= 5; ++i) Change(absl::StrCat("client-", i));
    auto v = store_->VerifyAudit(kForever);
    ASSERT_TRUE(v.ok()) << v.status();
    ASSERT_TRUE(v->intact) << v->message;
  }

  void Change(const std::string& id) {
    auto changed = store_->ChangeClient(
        id,
        [&](const std::optional<ClientRow>&) -> absl::StatusOr<ClientChange> {
          ClientRow row;
          row.client_id = id;
          row.sealed_access_token = "sealed";
          row.expires = row.created = row.last_modified = row.last_date_used = row.last_rotated =
              clock_.Now();
          return ClientChange{ClientChange::Kind::kUpsert, row,
                              AuditAction{"client", id, "static/bulwark/root", "created"}};
        },
        kForever);
    ASSERT_TRUE(changed.ok()) << changed.status();
  }

  std::vector<AuditEntry> All() { return *store_->ListAudit("", "", 0, 1000, kForever); }

  // As the schema's owner: rewrites entry `from` with `action` and every later entry with
  // `rehash(previous hash, entry)` and key id `key_id`.
  void Rewrite(int64_t from, const std::string& action, const std::string& key_id,
               const std::function<std::string(const std::string&, const AuditEntry&)>& rehash) {
    std::vector<AuditEntry> entries = All();
    pqxx::connection owner(db_->db->OwnerDsn("auth"));
    pqxx::work txn(owner);
    std::string previous = kAuditGenesisHash;
    for (AuditEntry& e : entries) {
      if (e.sequence == from) e.action = action;
      if (e.sequence >= from) {
        e.key_id = key_id;
        e.hash = rehash(previous, e);
        txn.exec_params(
            "UPDATE auth.audit_history SET action = $2, hash = $3, key_id = $4 "
            "WHERE sequence = $1",
            e.sequence, e.action, e.hash, e.key_id);
      }
      previous = e.hash;
    }
    txn.commit();
  }

  void ExpectBrokenAt(int64_t sequence, const std::string& says) {
    auto v = store_->VerifyAudit(kForever);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_FALSE(v->intact);
    EXPECT_EQ(v->first_bad_sequence, sequence) << v->message;
    EXPECT_NE(v->message.find(says), std::string::npos) << v->message;
  }

  SimulatedClock clock_{absl::FromUnixMicros(1795435200123456)};
  AuditKeyring keys_ = AuditKeyring::ForTesting("audit-1");
  std::shared_ptr<pg::PgServiceDatabase> db_;
  std::unique_ptr<PostgresAuthStore> store_;
  std::unique_ptr<AuditCheckpoints> checkpoints_;
};

TEST_F(AuditAttackTest, NewRowsAreKeyedAndTheRuntimeRoleStillCannotRewrite) {
  for (const AuditEntry& e : All()) EXPECT_EQ(e.key_id, "audit-1");
  EXPECT_EQ(pg::SqlStateOf(db_->db->RuntimeDsn("auth"),
                           "UPDATE auth.audit_history SET action = 'x' WHERE sequence = 1", false),
            "42501");
}

TEST_F(AuditAttackTest, EditWithPlainSha256RecomputedIsCaughtAtTheEditedRow) {
  // Keeping the key id: the plain hash is not the MAC.
  Rewrite(3, "nothing-happened", "audit-1", AuditHash);
  ExpectBrokenAt(3, "entry 3 does not match its keyed hash");
  // Marking the rewritten rows as pre-keying rows: unkeyed after keyed.
  Rewrite(3, "nothing-happened", "", AuditHash);
  ExpectBrokenAt(3, "entry 3 is unkeyed but follows keyed entry 1");
}

TEST_F(AuditAttackTest, EditWithAnHmacUnderAKeyNotInTheKeyringIsCaught) {
  const std::string attacker_key(32, 'x');
  auto hmac = [&](const std::string& previous, const AuditEntry& e) {
    return AuditMac(attacker_key, previous, e);
  };
  Rewrite(2, "nothing-happened", "audit-1", hmac);  // claims the real key's id
  ExpectBrokenAt(2, "entry 2 does not match its keyed hash (audit key 'audit-1')");
  Rewrite(2, "nothing-happened", "attacker", hmac);  // names its own key
  ExpectBrokenAt(2, "entry 2 names audit key 'attacker', which is not in the audit keyring");
}

TEST_F(AuditAttackTest, DeletingTheNewestRowsLeavesAnIntactChainButFailsTheCheckpoint) {
  auto cp = checkpoints_->Take(kForever);
  ASSERT_TRUE(cp.ok()) << cp.status();
  ASSERT_EQ(cp->sequence, 5);
  {
    pqxx::connection owner(db_->db->OwnerDsn("auth"));
    pqxx::work txn(owner);
    txn.exec("DELETE FROM auth.audit_history WHERE sequence > 2");
    txn.commit();
  }
  auto v = store_->VerifyAudit(kForever);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact) << "a truncated keyed chain is still a valid chain: " << v->message;
  EXPECT_EQ(v->entries_checked, 2);
  auto checked = checkpoints_->Check(*cp, kForever);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_TRUE(checked->mac_valid);
  EXPECT_FALSE(checked->history_matches);
  EXPECT_EQ(checked->message, "truncated: the checkpoint of " + FormatCheckpointTime(cp->at) +
                                  " covers entry 5, the history ends at 2");
  // The next periodic round refuses to sign over the loss.
  EXPECT_EQ(checkpoints_->Take(kForever).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(checkpoints_->Newest()->sequence, 5);
  // New entries after the truncation do not hide it: entry 5 is not the one checkpointed.
  for (int i = 0; i < 3; ++i) Change(absl::StrCat("later-", i));
  checked = checkpoints_->Check(*cp, kForever);
  EXPECT_FALSE(checked->history_matches);
  EXPECT_NE(checked->message.find("entry 5 no longer has the hash"), std::string::npos)
      << checked->message;
}

TEST_F(AuditAttackTest, AForgedCheckpointFailsItsMac) {
  auto cp = checkpoints_->Take(kForever);
  ASSERT_TRUE(cp.ok());
  // Delete the newest rows and claim the checkpoint only ever covered entry 2.
  {
    pqxx::connection owner(db_->db->OwnerDsn("auth"));
    pqxx::work txn(owner);
    txn.exec("DELETE FROM auth.audit_history WHERE sequence > 2");
    txn.commit();
  }
  AuditCheckpoint forged = *cp;
  forged.sequence = 2;
  forged.hash = All().back().hash;
  auto checked = checkpoints_->Check(forged, kForever);
  ASSERT_TRUE(checked.ok());
  EXPECT_FALSE(checked->mac_valid);
  EXPECT_TRUE(checked->history_matches);
  EXPECT_NE(checked->message.find("MAC invalid"), std::string::npos) << checked->message;
}

TEST_F(AuditAttackTest, RowsFromBeforeKeyingKeepVerifyingOnlyAsAPrefix) {
  // A history written before migration 0003: unkeyed rows, as the old code hashed them.
  auto db = pg::PgServiceDatabase::Create(schema::AuthMigrations());
  ASSERT_TRUE(db.ok()) << db.status();
  {
    pqxx::connection owner((*db)->db->OwnerDsn("auth"));
    pqxx::work txn(owner);
    std::string previous = kAuditGenesisHash;
    for (int i = 1; i <= 2; ++i) {
      AuditEntry e;
      e.sequence = i;
      e.entity_type = "role";
      e.entity_id = "r";
      e.client_id = "root";
      e.action = "updated";
      e.created = absl::FromUnixMicros(1767225600000000 + i);
      e.hash = AuditHash(previous, e);
      txn.exec_params(
          "INSERT INTO auth.audit_history (sequence, entity_type, entity_id, client_id, action, "
          "created, hash) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / "
          "1000000), $7)",
          e.sequence, e.entity_type, e.entity_id, e.client_id, e.action,
          absl::ToUnixMicros(e.created), e.hash);
      previous = e.hash;
    }
    txn.commit();
  }
  PostgresAuthStore store(*(*db)->pool, keys_);
  auto legacy = store.ListAudit("", "", 0, 10, kForever);
  ASSERT_TRUE(legacy.ok());
  ASSERT_EQ(legacy->size(), 2u);
  EXPECT_EQ((*legacy)[0].key_id, "");  // the migration's default
  auto v = store.VerifyAudit(kForever);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact) << v->message;
  // The next entry is keyed and chains onto the old ones.
  ASSERT_TRUE(store
                  .ChangeRoles(
                      [&](RoleTransaction&) -> absl::StatusOr<RoleChange> {
                        RoleChange change;
                        change.upsert = RoleRow{"r", "", {"s"}, clock_.Now(), clock_.Now()};
                        change.audit = AuditAction{"role", "r", "root", "updated"};
                        return change;
                      },
                      kForever)
                  .ok());
  v = store.VerifyAudit(kForever);
  EXPECT_TRUE(v->intact) << v->message;
  EXPECT_EQ(v->entries_checked, 3);
  EXPECT_EQ((*store.AuditHead(kForever))->key_id, "audit-1");
}

}  // namespace
}  // namespace bulwark::auth
