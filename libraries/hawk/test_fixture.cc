#include "libraries/hawk/test_fixture.h"

#include <cstdlib>
#include <iostream>

namespace bulwark::hawk {
namespace {

template <typename T>
T OrDie(absl::StatusOr<T> value) {
  if (!value.ok()) {
    std::cerr << "AuthenticatorFixture: " << value.status() << "\n";
    std::abort();
  }
  return std::move(value).value();
}

}  // namespace

std::unique_ptr<AuthenticatorFixture> AuthenticatorFixture::Create(
    const std::map<std::string, TestClient>& clients, const std::vector<scopes::Role>& roles,
    absl::Time now, Authenticator::Options options, bool replay_protection) {
  auto fixture = std::make_unique<AuthenticatorFixture>();
  fixture->clock.Set(now);
  fixture->resolver = OrDie(scopes::Resolver::Create(roles));
  std::map<std::string, ClientRecord> records;
  for (const auto& [id, client] : clients) {
    ClientRecord& record = records[id];
    record.access_token = client.access_token;
    record.scopes = fixture->resolver->Expand(client.scopes);
    record.expires = client.expires;
    record.disabled = client.disabled;
  }
  fixture->loader = std::make_unique<StaticClientLoader>(records);
  if (replay_protection) {
    fixture->nonces = OrDie(InMemoryNonceCache::Create({}));
  }
  const scopes::Resolver* resolver = fixture->resolver.get();
  Authenticator::Dependencies dependencies;
  dependencies.clients = fixture->loader.get();
  dependencies.expand = [resolver](absl::Span<const std::string> scopes) {
    return resolver->Expand(scopes);
  };
  dependencies.clock = &fixture->clock;
  dependencies.nonces = fixture->nonces.get();
  fixture->authenticator = OrDie(Authenticator::Create(options, std::move(dependencies)));
  return fixture;
}

}  // namespace bulwark::hawk
