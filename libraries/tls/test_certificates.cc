#include "libraries/tls/test_certificates.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace bulwark::tls {
namespace {

struct Free {
  void operator()(X509* x) const { X509_free(x); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(BIO* b) const { BIO_free(b); }
};
using X509Ptr = std::unique_ptr<X509, Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

absl::StatusOr<std::string> CertPem(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) return absl::InternalError("PEM of cert");
  return BioText(bio.get());
}

absl::StatusOr<std::string> KeyPem(EVP_PKEY* k) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError("PEM of key");
  }
  return BioText(bio.get());
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("bad certificate extension '", value, "'"));
  }
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? absl::OkStatus() : absl::InternalError("X509_add_ext failed");
}

// A new certificate for `key`, named `common_name`, not yet signed.
absl::StatusOr<X509Ptr> NewCertificate(const std::string& common_name, EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  if (!cert) return absl::InternalError("X509_new failed");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return absl::InternalError("RAND_bytes failed");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), long{24} * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_pubkey(cert.get(), key);
  return cert;
}

}  // namespace

absl::StatusOr<TestCertificateAuthority> TestCertificateAuthority::Create(
    const std::string& common_name) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return absl::InternalError("EC key generation failed");
  auto cert = NewCertificate(common_name, key.get());
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(c));
  for (auto [nid, value] :
       std::vector<std::pair<int, std::string>>{{NID_basic_constraints, "critical,CA:TRUE"},
                                                {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                                {NID_subject_key_identifier, "hash"}}) {
    if (absl::Status s = AddExtension(c, c, nid, value); !s.ok()) return s;
  }
  if (X509_sign(c, key.get(), EVP_sha256()) == 0) return absl::InternalError("signing failed");
  TestCertificateAuthority ca;
  auto cert_pem = CertPem(c);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = KeyPem(key.get());
  if (!key_pem.ok()) return key_pem.status();
  ca.ca_ = {*cert_pem, *key_pem};
  return ca;
}

absl::StatusOr<IssuedCertificate> TestCertificateAuthority::Issue(
    const std::string& common_name, const std::vector<std::string>& dns_names,
    const std::vector<std::string>& ip_addresses) const {
  BioPtr ca_cert_bio(BIO_new_mem_buf(ca_.cert_pem.data(), static_cast<int>(ca_.cert_pem.size())));
  X509Ptr ca_cert(PEM_read_bio_X509(ca_cert_bio.get(), nullptr, nullptr, nullptr));
  BioPtr ca_key_bio(BIO_new_mem_buf(ca_.key_pem.data(), static_cast<int>(ca_.key_pem.size())));
  KeyPtr ca_key(PEM_read_bio_PrivateKey(ca_key_bio.get(), nullptr, nullptr, nullptr));
  if (!ca_cert || !ca_key) return absl::InternalError("cannot read the test CA back");
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return absl::InternalError("EC key generation failed");
  auto cert = NewCertificate(common_name, key.get());
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(ca_cert.get()));
  std::vector<std::string> sans;
  for (const std::string& d : dns_names) sans.push_back("DNS:" + d);
  for (const std::string& ip : ip_addresses) sans.push_back("IP:" + ip);
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, "serverAuth,clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"}};
  if (!sans.empty()) extensions.push_back({NID_subject_alt_name, absl::StrJoin(sans, ",")});
  for (const auto& [nid, value] : extensions) {
    if (absl::Status s = AddExtension(c, ca_cert.get(), nid, value); !s.ok()) return s;
  }
  if (X509_sign(c, ca_key.get(), EVP_sha256()) == 0) return absl::InternalError("signing failed");
  auto cert_pem = CertPem(c);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = KeyPem(key.get());
  if (!key_pem.ok()) return key_pem.status();
  return IssuedCertificate{*cert_pem, *key_pem};
}

absl::Status WriteTestFile(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return absl::InternalError("cannot write " + path);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      close(fd);
      return absl::InternalError("cannot write " + path);
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return absl::OkStatus();
}

}  // namespace bulwark::tls
