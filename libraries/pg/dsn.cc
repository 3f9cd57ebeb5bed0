#include "libraries/pg/dsn.h"

#include <cctype>

namespace bulwark::pg {

std::map<std::string, std::string> ParseDsn(const std::string& dsn) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  const size_t n = dsn.size();
  while (i < n) {
    while (i < n && std::isspace(static_cast<unsigned char>(dsn[i]))) ++i;
    size_t eq = dsn.find('=', i);
    if (i >= n || eq == std::string::npos) break;
    std::string key = dsn.substr(i, eq - i);
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    i = eq + 1;
    while (i < n && std::isspace(static_cast<unsigned char>(dsn[i]))) ++i;
    std::string value;
    if (i < n && dsn[i] == '\'') {
      for (++i; i < n && dsn[i] != '\''; ++i) {
        if (dsn[i] == '\\' && i + 1 < n) ++i;
        value += dsn[i];
      }
      ++i;  // closing quote
    } else {
      while (i < n && !std::isspace(static_cast<unsigned char>(dsn[i]))) value += dsn[i++];
    }
    out[key] = value;
  }
  return out;
}

std::string FormatDsn(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += ' ';
    out += key + "='";
    for (char c : value) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += "'";
  }
  return out;
}

std::string DsnWith(const std::string& base,
                    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::map<std::string, std::string> fields = ParseDsn(base);
  for (const auto& [key, value] : overrides) fields[key] = value;
  return FormatDsn(fields);
}

std::string DsnForRole(const std::string& server_dsn, const std::string& database,
                       const std::string& user, const std::string& password) {
  std::map<std::string, std::string> server = ParseDsn(server_dsn);
  std::map<std::string, std::string> fields = {
      {"dbname", database}, {"user", user}, {"password", password}};
  for (const char* key : {"host", "hostaddr", "port", "sslmode", "sslrootcert"}) {
    if (auto it = server.find(key); it != server.end()) fields[key] = it->second;
  }
  return FormatDsn(fields);
}

}  // namespace bulwark::pg
