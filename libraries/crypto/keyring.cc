#include "libraries/crypto/keyring.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <fstream>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libraries/crypto/encoding.h"
#include "libraries/status/status_macros.h"

namespace bulwark::crypto {

struct Keyring::State {
  std::vector<KeyringKey> keys;  // last = current

  ~State() {
    for (KeyringKey& k : keys) Wipe(&k.key);
  }
  const KeyringKey* Find(absl::string_view id) const {
    for (const KeyringKey& k : keys) {
      if (k.id == id) return &k;
    }
    return nullptr;
  }
};

namespace {

constexpr absl::string_view kVersion = "v1";
constexpr absl::string_view kAadDomain = "bulwark-keyring-v1";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// The parts of a sealed value, as views into it (kid) and decoded bytes.
struct Sealed {
  absl::string_view kid;
  std::string iv;
  std::string ciphertext;
  std::string tag;
};

absl::Status Malformed() {
  return absl::DataLossError("not a v1 keyring-sealed value (expected v1.<kid>.<iv>.<ct>.<tag>)");
}

// Splits `v1.<kid>.<iv>.<ct>.<tag>`; the kid may itself contain '.', the
// base64url fields cannot, so the last three fields are taken from the right.
absl::StatusOr<Sealed> Parse(absl::string_view sealed) {
  if (sealed.size() <= kVersion.size() + 1 || sealed.substr(0, kVersion.size()) != kVersion ||
      sealed[kVersion.size()] != '.') {
    return Malformed();
  }
  absl::string_view rest = sealed.substr(kVersion.size() + 1);
  absl::string_view fields[3];  // iv, ct, tag
  for (int i = 2; i >= 0; --i) {
    size_t dot = rest.rfind('.');
    if (dot == absl::string_view::npos) return Malformed();
    fields[i] = rest.substr(dot + 1);
    rest = rest.substr(0, dot);
  }
  Sealed out;
  out.kid = rest;
  if (!IsValidKeyId(out.kid) || !Base64UrlDecode(fields[0], &out.iv) ||
      !Base64UrlDecode(fields[1], &out.ciphertext) || !Base64UrlDecode(fields[2], &out.tag) ||
      out.iv.size() != Keyring::kIvBytes || out.tag.size() != Keyring::kTagBytes) {
    return Malformed();
  }
  return out;
}

std::string AuthenticatedData(absl::string_view kid, absl::string_view associated_data) {
  return absl::StrCat(kAadDomain, absl::string_view("\0", 1), kid, absl::string_view("\0", 1),
                      associated_data);
}

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

absl::Status OpenSslFailure(absl::string_view what) {
  ERR_clear_error();
  return absl::InternalError(absl::StrCat("OpenSSL failed to ", what));
}

// AES-256-GCM of `input` under `key` and `iv`, authenticating `aad`. Encrypting
// writes the tag to `*tag`; decrypting checks it and returns DATA_LOSS when it
// does not authenticate.
absl::StatusOr<std::string> Gcm(bool encrypt, absl::string_view key, absl::string_view iv,
                                absl::string_view aad, absl::string_view input, std::string* tag) {
  const int enc = encrypt ? 1 : 0;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string output(input.size(), '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(output.data());
  int length = 0;
  bool ok =
      ctx != nullptr &&
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, enc) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, Keyring::kIvBytes, nullptr) == 1 &&
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(iv), enc) == 1 &&
      EVP_CipherUpdate(ctx.get(), nullptr, &length, Bytes(aad), static_cast<int>(aad.size())) ==
          1 &&
      EVP_CipherUpdate(ctx.get(), out, &length, Bytes(input), static_cast<int>(input.size())) ==
          1 &&
      (encrypt ||
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, Keyring::kTagBytes, tag->data()) == 1);
  if (!ok) {
    Wipe(&output);
    return OpenSslFailure("run AES-256-GCM");
  }
  int final_length = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out + length, &final_length) != 1) {
    Wipe(&output);
    if (encrypt) return OpenSslFailure("run AES-256-GCM");
    ERR_clear_error();
    return absl::DataLossError("does not authenticate");
  }
  if (encrypt) {
    tag->assign(Keyring::kTagBytes, '\0');
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, Keyring::kTagBytes, tag->data()) !=
        1) {
      return OpenSslFailure("run AES-256-GCM");
    }
  }
  return output;
}

}  // namespace

absl::StatusOr<Keyring> Keyring::Create(std::vector<KeyringKey> keys, Random& random) {
  auto state = std::make_shared<State>();
  state->keys = std::move(keys);  // wiped by ~State on every path
  if (state->keys.empty()) {
    return absl::InvalidArgumentError("keyring: at least one key is required");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < state->keys.size(); ++i) {
    const KeyringKey& k = state->keys[i];
    if (!IsValidKeyId(k.id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("keyring[", i, "]: \"id\" must be 1 to 64 characters of [A-Za-z0-9._:-]"));
    }
    if (!seen.insert(k.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("keyring[", i, "] (id \"", k.id, "\"): duplicate key id"));
    }
    if (k.key.size() != kKeyBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("keyring[", i, "] (id \"", k.id, "\"): the key must be exactly 32 bytes"));
    }
  }
  return Keyring(std::move(state), &random);
}

absl::StatusOr<Keyring> Keyring::FromFile(const std::string& path, Random& random) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read the keyring file ", path));
  nlohmann::json config = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat("the keyring file ", path, " is not JSON"));
  }
  return FromJson(config, random);
}

absl::StatusOr<Keyring> Keyring::FromJson(const nlohmann::json& config, Random& random) {
  if (!config.is_array()) {
    return absl::InvalidArgumentError(
        "keyring: expected a JSON list of {\"id\": ..., \"key\": ...} entries");
  }
  std::vector<KeyringKey> keys;
  auto wipe_all = [&keys] {
    for (KeyringKey& k : keys) Wipe(&k.key);
  };
  for (size_t i = 0; i < config.size(); ++i) {
    const nlohmann::json& entry = config[i];
    std::string where = absl::StrCat("keyring[", i, "]");
    if (!entry.is_object()) {
      wipe_all();
      return absl::InvalidArgumentError(absl::StrCat(where, ": expected an object"));
    }
    auto id = entry.find("id");
    if (id == entry.end() || !id->is_string() || !IsValidKeyId(id->get_ref<const std::string&>())) {
      wipe_all();
      return absl::InvalidArgumentError(
          absl::StrCat(where,
                       ": \"id\" must be a string of 1 to 64 characters of "
                       "[A-Za-z0-9._:-]"));
    }
    absl::StrAppend(&where, " (id \"", id->get_ref<const std::string&>(), "\")");
    for (const auto& [field, value] : entry.items()) {
      if (field != "id" && field != "key") {
        wipe_all();
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": unknown field \"", field, "\" (allowed: id, key)"));
      }
    }
    KeyringKey key{id->get<std::string>(), ""};
    auto encoded = entry.find("key");
    if (encoded == entry.end() || !encoded->is_string() ||
        !Base64Decode(encoded->get_ref<const std::string&>(), &key.key) ||
        key.key.size() != kKeyBytes) {
      Wipe(&key.key);
      wipe_all();
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": \"key\" must be standard base64 of exactly 32 bytes"));
    }
    keys.push_back(std::move(key));
  }
  return Create(std::move(keys), random);
}

absl::StatusOr<std::string> Keyring::Encrypt(absl::string_view plaintext,
                                             absl::string_view associated_data) const {
  if (plaintext.size() > kMaxInputBytes || associated_data.size() > kMaxInputBytes) {
    return absl::InvalidArgumentError("keyring: plaintext or associated data is too large");
  }
  const KeyringKey& key = state_->keys.back();
  std::string iv = random_->Bytes(kIvBytes);
  std::string tag;
  BULWARK_ASSIGN_OR_RETURN(std::string ciphertext,
                           Gcm(/*encrypt=*/true, key.key, iv,
                               AuthenticatedData(key.id, associated_data), plaintext, &tag));
  return absl::StrCat(kVersion, ".", key.id, ".", Base64UrlEncode(iv), ".",
                      Base64UrlEncode(ciphertext), ".", Base64UrlEncode(tag));
}

absl::StatusOr<std::string> Keyring::Decrypt(absl::string_view sealed,
                                             absl::string_view associated_data) const {
  if (associated_data.size() > kMaxInputBytes || sealed.size() > 2 * kMaxInputBytes) {
    return absl::InvalidArgumentError("keyring: sealed value or associated data is too large");
  }
  BULWARK_ASSIGN_OR_RETURN(Sealed parts, Parse(sealed));
  const KeyringKey* key = state_->Find(parts.kid);
  if (key == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("sealed with key id \"", parts.kid,
                                                      "\", which is not in the keyring (",
                                                      absl::StrJoin(key_ids(), ", "), ")"));
  }
  absl::StatusOr<std::string> plaintext =
      Gcm(/*encrypt=*/false, key->key, parts.iv, AuthenticatedData(key->id, associated_data),
          parts.ciphertext, &parts.tag);
  if (plaintext.status().code() == absl::StatusCode::kDataLoss) {
    return absl::DataLossError(
        absl::StrCat("sealed value does not authenticate under key \"", key->id,
                     "\" (tampered with, or sealed for other associated data)"));
  }
  return plaintext;
}

absl::StatusOr<bool> Keyring::NeedsReencrypt(absl::string_view sealed) const {
  BULWARK_ASSIGN_OR_RETURN(Sealed parts, Parse(sealed));
  return parts.kid != current_key_id();
}

absl::StatusOr<std::string> Keyring::Reencrypt(absl::string_view sealed,
                                               absl::string_view associated_data) const {
  BULWARK_ASSIGN_OR_RETURN(std::string plaintext, Decrypt(sealed, associated_data));
  absl::StatusOr<std::string> resealed = Encrypt(plaintext, associated_data);
  Wipe(&plaintext);
  return resealed;
}

const std::string& Keyring::current_key_id() const { return state_->keys.back().id; }

std::vector<std::string> Keyring::key_ids() const {
  std::vector<std::string> ids;
  for (const KeyringKey& k : state_->keys) ids.push_back(k.id);
  return ids;
}

absl::StatusOr<nlohmann::json> GenerateKeyringEntry(absl::string_view id, Random& random) {
  if (!IsValidKeyId(id)) {
    return absl::InvalidArgumentError("key id must be 1 to 64 characters of [A-Za-z0-9._:-]");
  }
  std::string key = random.Bytes(Keyring::kKeyBytes);
  nlohmann::json entry = {{"id", std::string(id)}, {"key", Base64Encode(key)}};
  Wipe(&key);
  return entry;
}

}  // namespace bulwark::crypto
