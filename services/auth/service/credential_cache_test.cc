#include "services/auth/service/credential_cache.h"

#include "gtest/gtest.h"
#include "libraries/scopes/resolver.h"
#include "services/auth/service/fake_token_sealer.h"
#include "services/auth/store/in_memory_auth_store.h"

namespace bulwark::auth {
namespace {

const absl::Time kForever = absl::InfiniteFuture();

class CredentialCacheTest : public ::testing::Test {
 protected:
  void Put(const std::string& id, const std::string& token, bool disabled = false,
           std::vector<std::string> scopes = {"assume:r"}) {
    ClientRow row;
    row.client_id = id;
    row.sealed_access_token = *sealer_.Seal(token, id);
    row.scopes = std::move(scopes);
    row.disabled = disabled;
    row.expires = clock_.Now() + absl::Hours(1);
    row.created = row.last_modified = row.last_date_used = row.last_rotated = clock_.Now();
    ASSERT_TRUE(store_
                    .ChangeClient(
                        id,
                        [&](const std::optional<ClientRow>&) -> absl::StatusOr<ClientChange> {
                          return ClientChange{ClientChange::Kind::kUpsert, row, std::nullopt};
                        },
                        kForever)
                    .ok());
  }

  SimulatedClock clock_;
  InMemoryAuthStore store_{clock_};
  FakeTokenSealer sealer_;
  CredentialCache cache_{store_, sealer_, clock_};
};

TEST_F(CredentialCacheTest, LoadsOnceAndServesFromMemoryUntilInvalidated) {
  Put("c", "token-1");
  auto first = cache_.Get("c", kForever);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->access_token(), "token-1");
  Put("c", "token-2");  // changed behind the cache's back
  EXPECT_EQ((*cache_.Get("c", kForever))->access_token(), "token-1");
  cache_.Invalidate("c");
  EXPECT_EQ((*cache_.Get("c", kForever))->access_token(), "token-2");
  EXPECT_EQ(cache_.Get("nobody", kForever).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CredentialCacheTest, ExpansionFollowsTheRoleSetVersion) {
  Put("c", "t");
  auto resolver = std::move(scopes::Resolver::Create({{"r", {"a"}}})).value();
  auto client = std::move(cache_.Get("c", kForever)).value();
  EXPECT_EQ(client->Expanded(*resolver->snapshot()), (std::vector<std::string>{"a", "assume:r"}));
  ASSERT_TRUE(resolver->UpsertRole({"r", {"b"}}).ok());
  EXPECT_EQ(client->Expanded(*resolver->snapshot()), (std::vector<std::string>{"assume:r", "b"}));
}

// The client's scopes are normalized once when loaded: the stored row keeps them as given,
// and the expansion equals that of the raw list.
TEST_F(CredentialCacheTest, ExpandsTheScopesNormalizedAtLoad) {
  const std::vector<std::string> given = {"z", "assume:r", "q:x", "q:*", "z", "assume:none"};
  Put("c", "t", false, given);
  auto resolver = std::move(scopes::Resolver::Create({{"r", {"a", "q:y"}}})).value();
  auto client = std::move(cache_.Get("c", kForever)).value();
  EXPECT_EQ(client->row().scopes, given);
  const scopes::ExpandedScopes expanded = client->Expanded(*resolver->snapshot());
  EXPECT_EQ(expanded, resolver->snapshot()->ExpandShared(given));
  EXPECT_EQ(expanded, (std::vector<std::string>{"a", "assume:none", "assume:r", "q:*", "z"}));
}

TEST_F(CredentialCacheTest, RecordsUseAtMostOncePerInterval) {
  Put("c", "t");
  auto client = std::move(cache_.Get("c", kForever)).value();
  clock_.Advance(absl::Hours(1));
  cache_.RecordUse(*client, kForever);
  EXPECT_EQ(store_.GetClient("c", kForever)->last_date_used, client->row().last_date_used);
  clock_.Advance(absl::Hours(6));
  cache_.RecordUse(*client, kForever);
  EXPECT_EQ(store_.GetClient("c", kForever)->last_date_used, clock_.Now());
}

}  // namespace
}  // namespace bulwark::auth
