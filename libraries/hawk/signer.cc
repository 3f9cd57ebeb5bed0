#include "libraries/hawk/signer.h"

#include "libraries/hawk/digest.h"
#include "libraries/hawk/ext.h"
#include "libraries/hawk/header.h"
#include "libraries/status/status_macros.h"

namespace bulwark::hawk {

std::string NewNonce(Random& random) { return Base64UrlNoPadding(random.Bytes(8)); }

absl::StatusOr<std::string> SignRequest(const Credentials& credentials, const Request& request,
                                        const Clock& clock, Random& random) {
  BULWARK_ASSIGN_OR_RETURN(std::string ext, BuildExt(credentials));
  return BuildHeader(credentials, request, absl::ToUnixSeconds(clock.Now()), NewNonce(random), ext,
                     request.payload_hash.value_or(""));
}

}  // namespace bulwark::hawk
