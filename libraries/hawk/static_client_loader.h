// File: libraries/hawk/static_client_loader.h
//
// StaticClientLoader: a ClientLoader over a fixed map from clientId to
// ClientRecord, e.g. the single `tester` / `no-secret` client of
// TestAuthenticate (auth.md §4.5), or clients in tests.
//
//   ClientRecord tester;
//   tester.access_token = "no-secret";
//   tester.scopes = resolver.Expand(client_scopes);
//   StaticClientLoader loader({{"tester", tester}});
//
// Thread-safety: immutable after construction; Load is safe from any thread.
// Errors: Load returns NOT_FOUND for a clientId not in the map.

#ifndef BULWARK_LIBRARIES_HAWK_STATIC_CLIENT_LOADER_H_
#define BULWARK_LIBRARIES_HAWK_STATIC_CLIENT_LOADER_H_

#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libraries/hawk/client_loader.h"

namespace bulwark::hawk {

class StaticClientLoader final : public ClientLoader {
 public:
  explicit StaticClientLoader(const std::map<std::string, ClientRecord>& clients) {
    for (const auto& [id, record] : clients) {
      clients_.emplace(id, std::make_shared<const ClientRecord>(record));
    }
  }

  absl::StatusOr<std::shared_ptr<const ClientRecord>> Load(absl::string_view client_id,
                                                           absl::Time) const override {
    auto it = clients_.find(client_id);
    if (it == clients_.end()) {
      return absl::NotFoundError(absl::StrCat("no client ", client_id));
    }
    return it->second;
  }

 private:
  absl::flat_hash_map<std::string, std::shared_ptr<const ClientRecord>> clients_;
};

}  // namespace bulwark::hawk

#endif  // BULWARK_LIBRARIES_HAWK_STATIC_CLIENT_LOADER_H_
