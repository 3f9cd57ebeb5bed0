#include "libraries/crypto/ed25519.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libraries/crypto/encoding.h"

namespace bulwark::crypto {
namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, &EVP_PKEY_free);
}

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// OpenSSL keeps a per-thread error queue; nothing here reports from it, so
// leave it empty for whoever uses OpenSSL next on this thread.
absl::Status Fail(absl::Status status) {
  ERR_clear_error();
  return status;
}

// The PEM password callback: never prompt, never supply a passphrase.
int NoPassphrase(char*, int, int, void*) { return -1; }

Bio MemoryBio(absl::string_view data) {
  return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())), &BIO_free);
}

// Everything written to `bio`.
std::string Drain(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read key file ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::NotFoundError(absl::StrCat("cannot read key file ", path));
  return contents.str();
}

bool IsEd25519(const EVP_PKEY* key) { return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519; }

// An Ed25519 key from its 32 raw bytes: a public key, or a private key's seed.
absl::StatusOr<std::shared_ptr<EVP_PKEY>> RawKey(absl::string_view bytes, bool is_private) {
  absl::string_view what = is_private ? "private key seed" : "public key";
  if (bytes.size() != kEd25519PublicKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("an Ed25519 ", what, " is exactly 32 bytes"));
  }
  auto* make = is_private ? &EVP_PKEY_new_raw_private_key : &EVP_PKEY_new_raw_public_key;
  EVP_PKEY* key = make(EVP_PKEY_ED25519, nullptr, Bytes(bytes), bytes.size());
  if (key == nullptr) {
    return Fail(absl::InternalError(absl::StrCat("OpenSSL could not load the Ed25519 ", what)));
  }
  return Own(key);
}

// An Ed25519 key from the first PEM block of its kind in `pem`: "PUBLIC KEY"
// (SubjectPublicKeyInfo) or a private key (PKCS#8 "PRIVATE KEY", or a legacy
// form OpenSSL reads).
absl::StatusOr<std::shared_ptr<EVP_PKEY>> PemKey(absl::string_view pem, bool is_private) {
  Bio bio = MemoryBio(pem);
  auto* read = is_private ? &PEM_read_bio_PrivateKey : &PEM_read_bio_PUBKEY;
  EVP_PKEY* key = bio ? read(bio.get(), nullptr, &NoPassphrase, nullptr) : nullptr;
  if (key == nullptr) {
    return Fail(absl::InvalidArgumentError(
        is_private ? "not a PEM private key (expected \"-----BEGIN PRIVATE "
                     "KEY-----\", PKCS#8)"
                   : "not a PEM public key (expected \"-----BEGIN PUBLIC "
                     "KEY-----\")"));
  }
  std::shared_ptr<EVP_PKEY> owned = Own(key);
  if (!IsEd25519(key)) {
    return Fail(absl::InvalidArgumentError(is_private
                                               ? "the PEM private key is not an Ed25519 key"
                                               : "the PEM public key is not an Ed25519 key"));
  }
  return owned;
}

// Key::FromPem of a file's contents; errors name the file.
template <typename Key>
absl::StatusOr<Key> LoadPemFile(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  absl::StatusOr<Key> key = Key::FromPem(*pem);
  Wipe(&*pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", key.status().message()));
  }
  return key;
}

}  // namespace

// -----------------------------------------------------------------------------
// Ed25519PublicKey

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromRaw(absl::string_view raw) {
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = RawKey(raw, /*is_private=*/false);
  if (!key.ok()) return key.status();
  return Ed25519PublicKey(*std::move(key));
}

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromPem(absl::string_view pem) {
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = PemKey(pem, /*is_private=*/false);
  if (!key.ok()) return key.status();
  return Ed25519PublicKey(*std::move(key));
}

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromPemFile(const std::string& path) {
  return LoadPemFile<Ed25519PublicKey>(path);
}

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return absl::InvalidArgumentError("a JWK must be a JSON object");
  if (jwk.value("kty", nlohmann::json()) != "OKP" ||
      jwk.value("crv", nlohmann::json()) != "Ed25519") {
    return absl::InvalidArgumentError("not an Ed25519 JWK (expected kty \"OKP\", crv \"Ed25519\")");
  }
  if (jwk.contains("d")) {
    return absl::InvalidArgumentError("the JWK holds a private key (\"d\"); expected a public JWK");
  }
  auto x = jwk.find("x");
  std::string raw;
  if (x == jwk.end() || !x->is_string() ||
      !Base64UrlDecode(x->get_ref<const std::string&>(), &raw) ||
      raw.size() != kEd25519PublicKeyBytes) {
    return absl::InvalidArgumentError("the JWK's \"x\" must be base64url of 32 bytes");
  }
  return FromRaw(raw);
}

std::string Ed25519PublicKey::Raw() const {
  unsigned char raw[kEd25519PublicKeyBytes];
  size_t length = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key_.get(), raw, &length) != 1 ||
      length != kEd25519PublicKeyBytes) {
    std::abort();  // cannot fail for an Ed25519 key
  }
  return std::string(reinterpret_cast<const char*>(raw), length);
}

std::string Ed25519PublicKey::ToPem() const {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) std::abort();  // out of memory
  return Drain(bio.get());
}

nlohmann::json Ed25519PublicKey::ToJwk() const {
  return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(Raw())}};
}

std::string Ed25519PublicKey::Thumbprint() const {
  // RFC 7638 §3.2 / RFC 8037 §2: the required members in lexicographic order,
  // no whitespace.
  std::string canonical =
      absl::StrCat(R"({"crv":"Ed25519","kty":"OKP","x":")", Base64UrlEncode(Raw()), R"("})");
  return Base64UrlEncode(Sha256(canonical));
}

bool Ed25519PublicKey::Verify(absl::string_view message, absl::string_view signature) const {
  if (signature.size() != kEd25519SignatureBytes) return false;
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                             message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

// -----------------------------------------------------------------------------
// Ed25519PrivateKey

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::Generate(Random& random) {
  std::string seed = random.Bytes(kEd25519SeedBytes);
  absl::StatusOr<Ed25519PrivateKey> key = FromSeed(seed);
  Wipe(&seed);
  return key;
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(absl::string_view seed) {
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = RawKey(seed, /*is_private=*/true);
  if (!key.ok()) return key.status();
  return Ed25519PrivateKey(*std::move(key));
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromPem(absl::string_view pem) {
  if (absl::StrContains(pem, "ENCRYPTED")) {
    return absl::InvalidArgumentError(
        "encrypted PEM private keys are not supported; give an unencrypted "
        "PKCS#8 key");
  }
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = PemKey(pem, /*is_private=*/true);
  if (!key.ok()) return key.status();
  return Ed25519PrivateKey(*std::move(key));
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromPemFile(const std::string& path) {
  return LoadPemFile<Ed25519PrivateKey>(path);
}

absl::StatusOr<std::string> Ed25519PrivateKey::ToPem() const {
  // A secure-heap memory BIO: its buffer is cleansed when freed.
  Bio bio(BIO_new(BIO_s_secmem()), &BIO_free);
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Fail(absl::InternalError("OpenSSL could not write the private key"));
  }
  return Drain(bio.get());
}

Ed25519PublicKey Ed25519PrivateKey::PublicKey() const {
  unsigned char raw[kEd25519PublicKeyBytes];
  size_t length = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key_.get(), raw, &length) != 1) std::abort();
  // A separate public-only key: a public key never carries the private half.
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key =
      RawKey(absl::string_view(reinterpret_cast<const char*>(raw), length),
             /*is_private=*/false);
  if (!key.ok()) std::abort();  // cannot fail for an Ed25519 key short of memory exhaustion
  return Ed25519PublicKey(*std::move(key));
}

absl::StatusOr<std::string> Ed25519PrivateKey::Sign(absl::string_view message) const {
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t length = signature.size();
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     Bytes(message), message.size()) != 1 ||
      length != kEd25519SignatureBytes) {
    return Fail(absl::InternalError("OpenSSL could not sign with the Ed25519 key"));
  }
  return signature;
}

}  // namespace bulwark::crypto
