// File: libraries/hawk/test_fixture.h
//
// For tests and benchmarks only: an Authenticator wired to a
// StaticClientLoader, a real scopes Resolver, a SimulatedClock and an
// InMemoryNonceCache, as the auth service wires it.
//
//   auto fixture = AuthenticatorFixture::Create(
//       {{"root", {"root-secret", {"*"}, expires}}},
//       {{"anonymous", {"anonscope"}}}, now);
//   absl::StatusOr<AuthResult> result =
//       fixture->authenticator->Authenticate(request);
//
// Thread-safety: as the parts (all thread-safe, except moving the clock during
// a call). Errors: Create aborts the test binary on a bad role set or options.

#ifndef BULWARK_LIBRARIES_HAWK_TEST_FIXTURE_H_
#define BULWARK_LIBRARIES_HAWK_TEST_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libraries/clock/clock.h"
#include "libraries/hawk/authenticator.h"
#include "libraries/hawk/nonce_cache.h"
#include "libraries/hawk/static_client_loader.h"
#include "libraries/scopes/resolver.h"
#include "libraries/scopes/role.h"

namespace bulwark::hawk {

// A client as stored: unexpanded scopes.
struct TestClient {
  std::string access_token;
  std::vector<std::string> scopes;
  absl::Time expires = absl::InfiniteFuture();
  bool disabled = false;
};

struct AuthenticatorFixture {
  static std::unique_ptr<AuthenticatorFixture> Create(
      const std::map<std::string, TestClient>& clients, const std::vector<scopes::Role>& roles,
      absl::Time now, Authenticator::Options options = {}, bool replay_protection = true);

  SimulatedClock clock;
  std::unique_ptr<scopes::Resolver> resolver;
  std::unique_ptr<StaticClientLoader> loader;
  std::unique_ptr<InMemoryNonceCache> nonces;  // null without replay protection
  std::unique_ptr<Authenticator> authenticator;
};

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_TEST_FIXTURE_H_
