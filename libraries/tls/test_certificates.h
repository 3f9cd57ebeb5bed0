// File: libraries/tls/test_certificates.h
//
// TestCertificateAuthority (testonly): a throwaway CA made in memory with OpenSSL (EC P-256,
// SHA-256), and certificates it issues, for tests of TLS and mutual TLS:
//
//   auto ca = TestCertificateAuthority::Create("test CA");
//   auto queue = ca->Issue("queue", {"queue", "localhost"}, {"127.0.0.1"});
//   WriteTestFile(dir + "/queue.pem", queue->cert_pem);
//
// Issued certificates are valid from an hour ago for a day, carry serverAuth and clientAuth
// usages and the given DNS and IP subject alternative names.
//
// Thread-safety: immutable after Create; Issue may be called concurrently.
// Errors: INTERNAL when OpenSSL fails (it should not), INVALID_ARGUMENT for a malformed IP.

#ifndef BULWARK_LIBRARIES_TLS_TEST_CERTIFICATES_H_
#define BULWARK_LIBRARIES_TLS_TEST_CERTIFICATES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bulwark::tls {

struct IssuedCertificate {
  std::string cert_pem;
  std::string key_pem;
};

class TestCertificateAuthority {
 public:
  static absl::StatusOr<TestCertificateAuthority> Create(const std::string& common_name);

  const std::string& cert_pem() const { return ca_.cert_pem; }
  absl::StatusOr<IssuedCertificate> Issue(const std::string& common_name,
                                          const std::vector<std::string>& dns_names,
                                          const std::vector<std::string>& ip_addresses) const;

 private:
  IssuedCertificate ca_;
};

// Writes `text` to `path` (mode 0600).
absl::Status WriteTestFile(const std::string& path, const std::string& text);

}  // namespace bulwark::tls

#endif  // BULWARK_LIBRARIES_TLS_TEST_CERTIFICATES_H_
