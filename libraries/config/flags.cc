#include "libraries/config/flags.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace bulwark {

absl::StatusOr<Flags> Flags::Parse(int argc, const char* const* argv,
                                   const std::set<std::string>& known,
                                   const std::set<std::string>& switches) {
  Flags flags;
  std::set<std::string> all = known;
  all.insert(switches.begin(), switches.end());
  for (const std::string& name : all) {
    std::string env = "BULWARK_" + absl::AsciiStrToUpper(absl::StrReplaceAll(name, {{"-", "_"}}));
    if (const char* value = std::getenv(env.c_str()); value != nullptr) {
      flags.values_[name] = value;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      flags.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (switches.count(name) > 0) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
    }
    if (all.count(name) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    flags.values_[name] = value;
  }
  return flags;
}

bool Flags::Has(const std::string& name) const { return values_.count(name) > 0; }

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

absl::StatusOr<bool> Flags::GetBool(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return false;
  std::string v = absl::AsciiStrToLower(it->second);
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0" || v.empty()) return false;
  return absl::InvalidArgumentError(
      absl::StrCat("flag --", name, ": '", it->second, "' is neither true nor false"));
}

absl::StatusOr<absl::Duration> Flags::GetDuration(const std::string& name,
                                                  absl::Duration fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  absl::Duration d;
  if (!absl::ParseDuration(it->second, &d)) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --", name, ": '", it->second, "' is not a duration such as 30s"));
  }
  return d;
}

}  // namespace bulwark
