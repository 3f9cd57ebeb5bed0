// File: libraries/config/flags.h
//
// Flags: the command line of a Bulwark binary. Accepts `--name=value` and `--name value`;
// each flag may also come from the environment as BULWARK_<NAME> (upper case, '-' → '_'),
// the way Kubernetes passes configuration. The command line wins over the environment.
//
//   BULWARK_ASSIGN_OR_RETURN(Flags flags, Flags::Parse(argc, argv, {"listen", "config"}));
//   std::string listen = flags.Get("listen", "127.0.0.1:50051");
//
// Switches (e.g. --plaintext) take no value: `--plaintext` means true, `--plaintext=false`
// false, and BULWARK_PLAINTEXT=true|1|false|0 in the environment; read them with GetBool.
//
// Thread-safety: immutable after Parse. Errors: Parse returns INVALID_ARGUMENT for an unknown
// flag or a flag without a value, naming it; GetBool for a switch that is not true or false.

#ifndef BULWARK_LIBRARIES_CONFIG_FLAGS_H_
#define BULWARK_LIBRARIES_CONFIG_FLAGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bulwark {

class Flags {
 public:
  // `known` lists the accepted flag names (without the leading dashes).
  // `switches` lists the flags that take no value.
  static absl::StatusOr<Flags> Parse(int argc, const char* const* argv,
                                     const std::set<std::string>& known,
                                     const std::set<std::string>& switches = {});

  bool Has(const std::string& name) const;
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // Parses a duration such as "30s" or "2m"; INVALID_ARGUMENT names the flag.
  absl::StatusOr<absl::Duration> GetDuration(const std::string& name,
                                             absl::Duration fallback) const;
  // A switch's value: false when absent or empty; INVALID_ARGUMENT unless true/false/1/0.
  absl::StatusOr<bool> GetBool(const std::string& name) const;
  // Arguments that are not flags, in order.
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_CONFIG_FLAGS_H_
