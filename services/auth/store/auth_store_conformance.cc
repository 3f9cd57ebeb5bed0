#include "services/auth/store/auth_store_conformance.h"

#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "libraries/call/call_scope.h"

namespace bulwark::auth {
namespace {

const absl::Time kNoDeadline = absl::InfiniteFuture();

ClientRow MakeClient(const std::string& id, absl::Time now) {
  ClientRow c;
  c.client_id = id;
  c.description = "client " + id;
  c.sealed_access_token = "sealed-" + id;
  c.expires = now + absl::Hours(24);
  c.scopes = {"a:b", "c*"};
  c.created = c.last_modified = c.last_date_used = c.last_rotated = now;
  c.created_by = "creator/" + id;
  return c;
}

// Creates `row` if absent; records "created" by `by`.
absl::StatusOr<std::optional<ClientRow>> Create(AuthStore& store, const ClientRow& row,
                                                const std::string& by = "tester") {
  return store.ChangeClient(
      row.client_id,
      [&](const std::optional<ClientRow>& current) -> absl::StatusOr<ClientChange> {
        if (current) return absl::AlreadyExistsError("exists");
        ClientChange change;
        change.kind = ClientChange::Kind::kUpsert;
        change.row = row;
        change.audit = AuditAction{"client", row.client_id, by, "created"};
        return change;
      },
      kNoDeadline);
}

absl::StatusOr<int64_t> PutRole(AuthStore& store, const RoleRow& role) {
  return store.ChangeRoles(
      [&](RoleTransaction&) -> absl::StatusOr<RoleChange> {
        RoleChange change;
        change.upsert = role;
        change.audit = AuditAction{"role", role.role_id, "tester", "updated"};
        return change;
      },
      kNoDeadline);
}

}  // namespace

void AuthStoreConformanceTest::SetUp() {
  clock_.Set(absl::FromUnixMicros(1767225600123456));  // microsecond precision matters
  under_test_ = GetParam()(clock_);
  store_ = under_test_.store.get();
  ASSERT_NE(store_, nullptr);
}

TEST_P(AuthStoreConformanceTest, CreatedClientReadsBackExactly) {
  ClientRow c = MakeClient("project/alice", clock_.Now());
  auto created = Create(*store_, c);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(created->has_value());
  EXPECT_EQ(**created, c);
  auto got = store_->GetClient("project/alice", kNoDeadline);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, c);
  EXPECT_EQ(store_->GetClient("nobody", kNoDeadline).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(AuthStoreConformanceTest, DecideSeesCurrentRowAndItsErrorsWriteNothing) {
  ASSERT_TRUE(Create(*store_, MakeClient("x", clock_.Now())).ok());
  auto again = Create(*store_, MakeClient("x", clock_.Now() + absl::Seconds(5)));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  auto audit = store_->ListAudit("", "", 0, 100, kNoDeadline);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 1u);  // only the first create was recorded
}

TEST_P(AuthStoreConformanceTest, UpdatesAndDeletesClients) {
  ClientRow c = MakeClient("c1", clock_.Now());
  ASSERT_TRUE(Create(*store_, c).ok());
  c.disabled = true;
  c.scopes = {"only:this"};
  c.last_modified = clock_.Now() + absl::Minutes(1);
  auto updated = store_->ChangeClient(
      "c1",
      [&](const std::optional<ClientRow>& current) -> absl::StatusOr<ClientChange> {
        EXPECT_TRUE(current.has_value());
        return ClientChange{ClientChange::Kind::kUpsert, c,
                            AuditAction{"client", "c1", "tester", "disabled"}};
      },
      kNoDeadline);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(*store_->GetClient("c1", kNoDeadline), c);

  auto deleted = store_->ChangeClient(
      "c1",
      [](const std::optional<ClientRow>&) -> absl::StatusOr<ClientChange> {
        return ClientChange{
            ClientChange::Kind::kDelete, {}, AuditAction{"client", "c1", "tester", "deleted"}};
      },
      kNoDeadline);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->has_value());
  EXPECT_EQ(store_->GetClient("c1", kNoDeadline).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(AuthStoreConformanceTest, ListsClientsByPrefixInByteOrderWithPaging) {
  for (const char* id : {"a/b", "a/B", "a/a", "b/a", "a/aa", "a"}) {
    ASSERT_TRUE(Create(*store_, MakeClient(id, clock_.Now())).ok());
  }
  auto page = store_->ListClients("a/", "", 2, kNoDeadline);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].client_id, "a/B");  // 'B' < 'a' in byte order
  EXPECT_EQ((*page)[1].client_id, "a/a");
  page = store_->ListClients("a/", (*page)[1].client_id, 10, kNoDeadline);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].client_id, "a/aa");
  EXPECT_EQ((*page)[1].client_id, "a/b");
  EXPECT_EQ(store_->ListClients("", "", 100, kNoDeadline)->size(), 6u);
  EXPECT_TRUE(store_->ListClients("zzz", "", 100, kNoDeadline)->empty());
}

TEST_P(AuthStoreConformanceTest, TouchRecordsUseWithoutAudit) {
  ASSERT_TRUE(Create(*store_, MakeClient("t", clock_.Now())).ok());
  absl::Time used = clock_.Now() + absl::Hours(7);
  ASSERT_TRUE(store_->TouchClient("t", used, kNoDeadline).ok());
  EXPECT_EQ(store_->GetClient("t", kNoDeadline)->last_date_used, used);
  EXPECT_EQ(store_->ListAudit("", "", 0, 100, kNoDeadline)->size(), 1u);
}

TEST_P(AuthStoreConformanceTest, PurgesOnlyExpiredClientsMarkedForDeletion) {
  absl::Time now = clock_.Now();
  ClientRow keep_expired = MakeClient("keep-expired", now);
  keep_expired.expires = now - absl::Hours(1);
  ClientRow purge = MakeClient("purge", now);
  purge.expires = now - absl::Hours(1);
  purge.delete_on_expiration = true;
  ClientRow not_yet = MakeClient("not-yet", now);
  not_yet.delete_on_expiration = true;
  for (const ClientRow& c : {keep_expired, purge, not_yet}) ASSERT_TRUE(Create(*store_, c).ok());
  auto purged = store_->PurgeExpiredClients(now, "static/bulwark/auth", kNoDeadline);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, std::vector<std::string>{"purge"});
  EXPECT_TRUE(store_->GetClient("keep-expired", kNoDeadline).ok());
  EXPECT_TRUE(store_->GetClient("not-yet", kNoDeadline).ok());
  auto audit = store_->ListAudit("client", "purge", 0, 10, kNoDeadline);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1].action, "expired");
  EXPECT_EQ((*audit)[1].client_id, "static/bulwark/auth");
}

TEST_P(AuthStoreConformanceTest, RoleChangesBumpTheVersionAndKeepCreated) {
  auto initial = store_->LoadRoles(kNoDeadline);
  ASSERT_TRUE(initial.ok()) << initial.status();
  int64_t v0 = initial->first;
  EXPECT_TRUE(initial->second.empty());
  RoleRow role{"hook-id:g/h", "d", {"queue:create-task:*"}, clock_.Now(), clock_.Now()};
  auto v1 = PutRole(*store_, role);
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(*v1, v0 + 1);
  RoleRow changed = role;
  changed.created = clock_.Now() + absl::Hours(1);  // ignored: creation time is kept
  changed.last_modified = clock_.Now() + absl::Hours(1);
  changed.scopes = {"x"};
  EXPECT_EQ(*PutRole(*store_, changed), v0 + 2);
  auto got = store_->GetRole("hook-id:g/h", kNoDeadline);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->created, role.created);
  EXPECT_EQ(got->scopes, std::vector<std::string>{"x"});
  auto loaded = store_->LoadRoles(kNoDeadline);
  EXPECT_EQ(loaded->first, v0 + 2);
  auto with_version = store_->GetRoleWithVersion("hook-id:g/h", kNoDeadline);
  ASSERT_TRUE(with_version.ok());
  EXPECT_EQ(with_version->first, v0 + 2);
  ASSERT_TRUE(with_version->second.has_value());
  EXPECT_EQ(with_version->second->scopes, std::vector<std::string>{"x"});
  EXPECT_FALSE(store_->GetRoleWithVersion("absent", kNoDeadline)->second.has_value());
  ASSERT_EQ(loaded->second.size(), 1u);

  // The transaction sees the current set; deleting a missing role changes nothing.
  auto v = store_->ChangeRoles(
      [&](RoleTransaction& txn) -> absl::StatusOr<RoleChange> {
        EXPECT_EQ(txn.version(), v0 + 2);
        EXPECT_TRUE(txn.Get("hook-id:g/h").value().has_value());
        EXPECT_EQ(txn.All().value().size(), 1u);
        RoleChange change;
        change.delete_role_id = "absent";
        return change;
      },
      kNoDeadline);
  EXPECT_EQ(*v, v0 + 2);
  v = store_->ChangeRoles(
      [](RoleTransaction&) -> absl::StatusOr<RoleChange> {
        RoleChange change;
        change.delete_role_id = "hook-id:g/h";
        change.audit = AuditAction{"role", "hook-id:g/h", "tester", "deleted"};
        return change;
      },
      kNoDeadline);
  EXPECT_EQ(*v, v0 + 3);
  EXPECT_EQ(store_->GetRole("hook-id:g/h", kNoDeadline).status().code(),
            absl::StatusCode::kNotFound);
  // A refused change writes nothing.
  v = store_->ChangeRoles(
      [](RoleTransaction&) -> absl::StatusOr<RoleChange> {
        return absl::InvalidArgumentError("cycle");
      },
      kNoDeadline);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LoadRoles(kNoDeadline)->first, v0 + 3);
}

TEST_P(AuthStoreConformanceTest, AuditHistoryIsFilterableAndHashChained) {
  ASSERT_TRUE(Create(*store_, MakeClient("one", clock_.Now()), "root").ok());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(Create(*store_, MakeClient("two", clock_.Now()), "root").ok());
  ASSERT_TRUE(PutRole(*store_, {"r", "", {"s"}, clock_.Now(), clock_.Now()}).ok());
  auto all = store_->ListAudit("", "", 0, 100, kNoDeadline);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ((*all)[i].sequence, i + 1);
  EXPECT_EQ((*all)[0].entity_id, "one");
  EXPECT_EQ((*all)[0].client_id, "root");
  EXPECT_EQ((*all)[2].entity_type, "role");
  EXPECT_EQ(store_->ListAudit("client", "", 0, 100, kNoDeadline)->size(), 2u);
  EXPECT_EQ(store_->ListAudit("client", "two", 0, 100, kNoDeadline)->size(), 1u);
  EXPECT_EQ(store_->ListAudit("", "", 1, 1, kNoDeadline)->front().sequence, 2);
  for (const AuditEntry& e : *all) {
    EXPECT_FALSE(e.key_id.empty()) << "new entries are keyed (entry " << e.sequence << ")";
    EXPECT_EQ(e.hash.size(), 64u);
  }
  auto head = store_->AuditHead(kNoDeadline);
  ASSERT_TRUE(head.ok()) << head.status();
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->sequence, 3);
  EXPECT_EQ((*head)->hash, (*all)[2].hash);
  EXPECT_EQ((*head)->key_id, (*all)[2].key_id);

  auto verified = store_->VerifyAudit(kNoDeadline);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->message;
  EXPECT_EQ(verified->entries_checked, 3);

  under_test_.tamper(2, "nothing-happened");
  verified = store_->VerifyAudit(kNoDeadline);
  ASSERT_TRUE(verified.ok());
  EXPECT_FALSE(verified->intact);
  EXPECT_EQ(verified->first_bad_sequence, 2);
}

TEST_P(AuthStoreConformanceTest, EmptyHistoryHasNoHeadAndVerifies) {
  auto head = store_->AuditHead(kNoDeadline);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_FALSE(head->has_value());
  auto verified = store_->VerifyAudit(kNoDeadline);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact);
  EXPECT_EQ(verified->entries_checked, 0);
}

TEST_P(AuthStoreConformanceTest, ConcurrentChangesKeepTheChainIntact) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(Create(*store_, MakeClient(absl::StrCat("c-", t, "-", i), clock_.Now())).ok());
      }
    });
  }
  // Two creators of one client: exactly one succeeds.
  std::atomic<int> winners{0};
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      if (Create(*store_, MakeClient("contested", clock_.Now())).ok()) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
  auto verified = store_->VerifyAudit(kNoDeadline);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->message;
  EXPECT_EQ(verified->entries_checked, 21);
}

}  // namespace bulwark::auth

namespace bulwark::auth {
namespace {

// Everything an auth store holds, to compare before and after.
struct AuthSnapshot {
  std::vector<ClientRow> clients;
  int64_t role_version = 0;
  std::vector<RoleRow> roles;
  size_t audit_entries = 0;
};

AuthSnapshot Snapshot(AuthStore& store) {
  AuthSnapshot s;
  auto clients = store.ListClients("", "", 1000, kNoDeadline);
  EXPECT_TRUE(clients.ok()) << clients.status();
  if (clients.ok()) s.clients = *clients;
  auto roles = store.LoadRoles(kNoDeadline);
  EXPECT_TRUE(roles.ok()) << roles.status();
  if (roles.ok()) std::tie(s.role_version, s.roles) = *roles;
  auto audit = store.ListAudit("", "", 0, 1000, kNoDeadline);
  EXPECT_TRUE(audit.ok()) << audit.status();
  if (audit.ok()) s.audit_entries = audit->size();
  return s;
}

}  // namespace

// Issue 14 item 3: a mutating method called for a caller that has gone (CallScope) returns
// CANCELLED and writes nothing, on every store.
TEST_P(AuthStoreConformanceTest, NothingIsWrittenForACallerWhoHasGone) {
  absl::Time now = clock_.Now();
  ASSERT_TRUE(Create(*store_, MakeClient("kept", now)).ok());
  ClientRow expiring = MakeClient("expiring", now);
  expiring.expires = now - absl::Hours(1);
  expiring.delete_on_expiration = true;
  ASSERT_TRUE(Create(*store_, expiring).ok());
  RoleRow role;
  role.role_id = "project:kept";
  role.scopes = {"a:b"};
  role.created = role.last_modified = now;
  ASSERT_TRUE(PutRole(*store_, role).ok());
  AuthSnapshot before = Snapshot(*store_);

  RoleRow other = role;
  other.role_id = "project:new";
  struct Mutation {
    const char* name;
    std::function<absl::Status()> run;
  };
  auto upsert = [&](const std::string& id, const std::string& action) {
    return store_
        ->ChangeClient(
            id,
            [&](const std::optional<ClientRow>&) -> absl::StatusOr<ClientChange> {
              return ClientChange{ClientChange::Kind::kUpsert, MakeClient(id, now),
                                  AuditAction{"client", id, "tester", action}};
            },
            kNoDeadline)
        .status();
  };
  std::vector<Mutation> mutations = {
      {"create client", [&] { return upsert("new", "created"); }},
      {"update client", [&] { return upsert("kept", "updated"); }},
      {"delete client",
       [&] {
         return store_
             ->ChangeClient(
                 "kept",
                 [](const std::optional<ClientRow>&) -> absl::StatusOr<ClientChange> {
                   return ClientChange{ClientChange::Kind::kDelete,
                                       {},
                                       AuditAction{"client", "kept", "tester", "deleted"}};
                 },
                 kNoDeadline)
             .status();
       }},
      {"touch client",
       [&] { return store_->TouchClient("kept", now + absl::Hours(1), kNoDeadline); }},
      {"purge expired clients",
       [&] { return store_->PurgeExpiredClients(now, "tester", kNoDeadline).status(); }},
      {"create role", [&] { return PutRole(*store_, other).status(); }},
      {"delete role",
       [&] {
         return store_
             ->ChangeRoles(
                 [](RoleTransaction&) -> absl::StatusOr<RoleChange> {
                   RoleChange change;
                   change.delete_role_id = "project:kept";
                   change.audit = AuditAction{"role", "project:kept", "tester", "deleted"};
                   return change;
                 },
                 kNoDeadline)
             .status();
       }},
  };
  for (const Mutation& m : mutations) {
    CallScope gone([] { return true; });
    absl::Status s = m.run();
    EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << m.name << ": " << s;
  }
  AuthSnapshot after = Snapshot(*store_);
  EXPECT_EQ(after.clients, before.clients);
  EXPECT_EQ(after.role_version, before.role_version);
  EXPECT_EQ(after.roles, before.roles);
  EXPECT_EQ(after.audit_entries, before.audit_entries);
  // ...while the same store still writes for a caller who stays.
  CallScope present([] { return false; });
  EXPECT_TRUE(upsert("new", "created").ok());
}

}  // namespace bulwark::auth
