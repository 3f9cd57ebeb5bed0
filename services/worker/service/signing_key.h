// File: services/worker/service/signing_key.h
//
// The worker's chain-of-trust signing key file:
//   LoadSigningKey                 reads the key after checking the file is fit to hold it.
//   CheckKeyUnreadableByTaskUser   proves the task user cannot read it (the worker checks this
//                                  at start and refuses to start otherwise).
//
// The file holds an unencrypted PKCS#8 PEM Ed25519 private key, the format
// `crypto_keygen private-pem > key.pem` writes (libraries/crypto/keygen.h), read with
// Ed25519PrivateKey::FromPem.
//
// LoadSigningKey opens the file once and checks the open file (fstat), so nothing can be
// swapped between the check and the read: it must be a regular file, owned by `owner` (the
// worker's uid), with no permission bits at all for group or others (0600 or 0400: a group or
// world bit could let a task user read it, or replace it), and at most kMaxKeyFileBytes. A
// symbolic link to such a file is accepted (Kubernetes mounts Secrets through links); the
// checks apply to the file it names. The file's bytes are wiped from memory after parsing.
//
// CheckKeyUnreadableByTaskUser tries to open the key as the task user, with the calling
// thread's filesystem identity switched (libraries/process/identity.h): this covers every
// route the kernel would allow - modes, groups, ACLs, directories - not only the bits
// LoadSigningKey checks. It needs root; without root, tasks run as the worker's own user, who
// can read its own key, so it fails.
//
// Thread-safety: both functions may be called from any thread. Errors: NOT_FOUND when the
// file does not exist; PERMISSION_DENIED when the worker cannot open it; FAILED_PRECONDITION
// for a file that is not regular, has the wrong owner, group/other permissions or is too big,
// and for a task user who can read it (or when that cannot be checked: not root, or the task
// user owns the file); INVALID_ARGUMENT when the contents are not an Ed25519 PKCS#8 PEM key.
// Messages name the path and say how to fix it; they never contain key material.

#ifndef BULWARK_SERVICES_WORKER_SERVICE_SIGNING_KEY_H_
#define BULWARK_SERVICES_WORKER_SERVICE_SIGNING_KEY_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libraries/crypto/ed25519.h"
#include "libraries/process/identity.h"

namespace bulwark::worker {

inline constexpr size_t kMaxKeyFileBytes = 16 * 1024;

absl::StatusOr<crypto::Ed25519PrivateKey> LoadSigningKey(const std::string& path, uid_t owner);

absl::Status CheckKeyUnreadableByTaskUser(const std::string& path,
                                          const process::Identity& task_user);

}  // namespace bulwark::worker

#endif  // BULWARK_SERVICES_WORKER_SERVICE_SIGNING_KEY_H_
