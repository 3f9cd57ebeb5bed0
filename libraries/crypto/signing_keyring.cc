#include "libraries/crypto/signing_keyring.h"

#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/key_id.h"

namespace bulwark::crypto {
namespace {

std::vector<PublicJwk> PublicJwks(const std::vector<SigningKey>& keys) {
  std::vector<PublicJwk> out;
  for (const SigningKey& k : keys) out.push_back({k.id, k.key.PublicKey()});
  return out;
}

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::StatusOr<SigningKey> ParseEntry(const nlohmann::json& entry, absl::string_view where) {
  if (!entry.is_object()) return Invalid(where, "expected an object");
  for (const auto& [field, value] : entry.items()) {
    if (field != "id" && field != "privateKeyPem" && field != "privateKeyFile") {
      return Invalid(where, absl::StrCat("unknown field \"", field,
                                         "\" (allowed: id, privateKeyPem, privateKeyFile)"));
    }
  }
  std::string label(where);
  if (entry.contains("id")) {
    const nlohmann::json& id = entry["id"];
    if (!id.is_string() || !IsValidKeyId(id.get_ref<const std::string&>())) {
      return Invalid(where, "\"id\" must be a string of 1 to 64 characters of [A-Za-z0-9._:-]");
    }
    absl::StrAppend(&label, " (id \"", id.get_ref<const std::string&>(), "\")");
  }
  bool has_pem = entry.contains("privateKeyPem");
  bool has_file = entry.contains("privateKeyFile");
  if (has_pem == has_file) {
    return Invalid(label, "give exactly one of \"privateKeyPem\" and \"privateKeyFile\"");
  }
  const nlohmann::json& source = has_pem ? entry["privateKeyPem"] : entry["privateKeyFile"];
  if (!source.is_string()) {
    return Invalid(label, has_pem ? "\"privateKeyPem\" must be a string"
                                  : "\"privateKeyFile\" must be a string");
  }
  absl::StatusOr<Ed25519PrivateKey> key =
      has_pem ? Ed25519PrivateKey::FromPem(source.get_ref<const std::string&>())
              : Ed25519PrivateKey::FromPemFile(source.get_ref<const std::string&>());
  if (!key.ok()) {
    return absl::Status(key.status().code(), absl::StrCat(label, ": ", key.status().message()));
  }
  std::string id =
      entry.contains("id") ? entry["id"].get<std::string>() : key->PublicKey().Thumbprint();
  return SigningKey{std::move(id), *std::move(key)};
}

}  // namespace

absl::StatusOr<SigningKeyring> SigningKeyring::Create(std::vector<SigningKey> keys) {
  if (keys.empty()) {
    return absl::InvalidArgumentError("signing keyring: at least one key is required");
  }
  std::set<std::string> ids;
  std::set<std::string> public_keys;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string where = absl::StrCat("signing keyring[", i, "]");
    if (!IsValidKeyId(keys[i].id)) {
      return Invalid(where, "the id must be 1 to 64 characters of [A-Za-z0-9._:-]");
    }
    absl::StrAppend(&where, " (id \"", keys[i].id, "\")");
    if (!ids.insert(keys[i].id).second) return Invalid(where, "duplicate key id");
    if (!public_keys.insert(keys[i].key.PublicKey().Raw()).second) {
      return Invalid(where, "the same key is already in the keyring under another id");
    }
  }
  absl::StatusOr<JwkSet> set = JwkSet::FromKeys(PublicJwks(keys));
  if (!set.ok()) return set.status();
  return SigningKeyring(std::move(keys), *std::move(set));
}

absl::StatusOr<SigningKeyring> SigningKeyring::FromJson(const nlohmann::json& config) {
  if (!config.is_array()) {
    return absl::InvalidArgumentError(
        "signing keyring: expected a JSON list of {\"id\", \"privateKeyPem\" "
        "or "
        "\"privateKeyFile\"} entries");
  }
  std::vector<SigningKey> keys;
  for (size_t i = 0; i < config.size(); ++i) {
    absl::StatusOr<SigningKey> key =
        ParseEntry(config[i], absl::StrCat("signing keyring[", i, "]"));
    if (!key.ok()) return key.status();
    keys.push_back(*std::move(key));
  }
  return Create(std::move(keys));
}

absl::StatusOr<SigningKeyring> SigningKeyring::FromPemFiles(const std::vector<std::string>& paths) {
  nlohmann::json config = nlohmann::json::array();
  for (const std::string& path : paths)
    config.push_back(nlohmann::json::object({{"privateKeyFile", path}}));
  return FromJson(config);
}

const SigningKey* SigningKeyring::Find(absl::string_view kid) const {
  for (const SigningKey& k : keys_) {
    if (k.id == kid) return &k;
  }
  return nullptr;
}

nlohmann::json SigningKeyring::Jwks() const { return ToJwks(PublicJwks(keys_)); }

}  // namespace bulwark::crypto
