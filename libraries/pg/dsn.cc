#include "libraries/pg/dsn.h"

namespace bulwark::pg {

std::string DsnWith(const std::string& base,
                    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::string out = base;
  for (const auto& [key, value] : overrides) {
    std::string quoted = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    quoted += "'";
    if (!out.empty()) out += ' ';
    out += key + "=" + quoted;
  }
  return out;
}

}  // namespace bulwark::pg
