#include "services/worker/service/artifact_spec.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bulwark::worker {

absl::Status CheckArtifactName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxArtifactNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("artifact name must be 1 to ", kMaxArtifactNameLength, " characters long"));
  }
  for (char c : name) {
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError(
          absl::StrCat("artifact name '", absl::CHexEscape(name), "' must be printable ASCII"));
    }
  }
  for (absl::string_view segment : absl::StrSplit(name, '/')) {
    if (segment.empty() || segment == "." || segment == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          "artifact name '", name, "' must be '/'-separated segments, none empty, '.' or '..'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace bulwark::worker
