#include "libraries/process/cancellation.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace bulwark::process {

absl::StatusOr<std::unique_ptr<Cancellation>> Cancellation::Create() {
  UniqueFd fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd.valid()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot create a cancellation eventfd: ", std::strerror(errno)));
  }
  return std::unique_ptr<Cancellation>(new Cancellation(std::move(fd)));
}

void Cancellation::Cancel() {
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  const uint64_t one = 1;
  // Cannot fail short of a bad descriptor: the counter is far from overflowing after one write.
  ssize_t ignored = write(fd_.get(), &one, sizeof one);
  (void)ignored;
}

}  // namespace bulwark::process
