#include "services/worker/service/signing_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "libraries/crypto/encoding.h"
#include "libraries/process/unique_fd.h"

namespace bulwark::worker {
namespace {

using process::UniqueFd;

std::string Octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

absl::Status OpenError(const std::string& path, int error) {
  if (error == ENOENT) {
    return absl::NotFoundError(absl::StrCat("signing key file '", path, "' does not exist"));
  }
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open signing key file '", path, "': ", std::strerror(error)));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("cannot open signing key file '", path, "': ", std::strerror(error)));
}

}  // namespace

absl::StatusOr<crypto::Ed25519PrivateKey> LoadSigningKey(const std::string& path, uid_t owner) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return OpenError(path, errno);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return OpenError(path, errno);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("signing key file '", path, "' is not a regular file"));
  }
  if (st.st_uid != owner) {
    return absl::FailedPreconditionError(
        absl::StrCat("signing key file '", path, "' is owned by uid ", st.st_uid,
                     ", not by the worker's uid ", owner, " (chown it)"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "signing key file '", path, "' has mode ", Octal(st.st_mode),
        ": group and others must have no access, or a task user could read it (chmod 600)"));
  }
  if (st.st_size > static_cast<off_t>(kMaxKeyFileBytes)) {
    return absl::FailedPreconditionError(absl::StrCat("signing key file '", path, "' is ",
                                                      st.st_size, " bytes; a key is at most ",
                                                      kMaxKeyFileBytes));
  }
  std::string pem(kMaxKeyFileBytes + 1, '\0');
  size_t length = 0;
  while (length < pem.size()) {
    ssize_t n = read(fd.get(), pem.data() + length, pem.size() - length);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      crypto::Wipe(&pem);
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read signing key file '", path, "': ", std::strerror(error)));
    }
    if (n == 0) break;
    length += static_cast<size_t>(n);
  }
  if (length > kMaxKeyFileBytes) {
    crypto::Wipe(&pem);
    return absl::FailedPreconditionError(
        absl::StrCat("signing key file '", path, "' grew past ", kMaxKeyFileBytes, " bytes"));
  }
  absl::StatusOr<crypto::Ed25519PrivateKey> key =
      crypto::Ed25519PrivateKey::FromPem(absl::string_view(pem.data(), length));
  crypto::Wipe(&pem);
  if (!key.ok()) {
    return absl::Status(key.status().code(),
                        absl::StrCat("signing key file '", path,
                                     "' does not hold an Ed25519 private key in PKCS#8 PEM "
                                     "(make one with `crypto_keygen private-pem`): ",
                                     key.status().message()));
  }
  return key;
}

absl::Status CheckKeyUnreadableByTaskUser(const std::string& path,
                                          const process::Identity& task_user) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return OpenError(path, errno);
  if (st.st_uid == task_user.uid) {
    return absl::FailedPreconditionError(
        absl::StrCat("signing key file '", path, "' is owned by the task user ",
                     task_user.Describe(), ", who can therefore read it"));
  }
  if (!process::IsRoot()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot prove the task user ", task_user.Describe(), " cannot read signing key file '",
        path, "': that needs root (without root, tasks would run as the worker's own user)"));
  }
  bool readable = false;
  int error = 0;
  absl::Status probed = process::WithFsIdentity(task_user, [&]() -> absl::Status {
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    readable = fd.valid();
    error = readable ? 0 : errno;
    return absl::OkStatus();
  });
  if (!probed.ok()) return probed;
  if (readable) {
    return absl::FailedPreconditionError(
        absl::StrCat("the task user ", task_user.Describe(), " can read signing key file '", path,
                     "'; make it readable by the worker's user only"));
  }
  if (error != EACCES && error != EPERM) {
    return absl::FailedPreconditionError(absl::StrCat("cannot check signing key file '", path,
                                                      "' as the task user ", task_user.Describe(),
                                                      ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace bulwark::worker
