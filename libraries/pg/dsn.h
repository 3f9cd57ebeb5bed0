// File: libraries/pg/dsn.h
//
// Connection-string helpers for libpq's keyword=value form ("host=… port=… user=…"), the form
// the project writes its connection strings in (URIs are not supported).
//
//   DsnWith(admin, {{"dbname", "bulwark"}})   the same connection, another database
//   DsnForRole(admin, "bulwark", "bulwark_auth", password)
//       the same server (host, port, sslmode) as another role: nothing else of `admin`, in
//       particular not its password, is carried over.
//
// Thread-safety: pure functions. Errors: none; unparsable input yields what could be parsed.

#ifndef BULWARK_LIBRARIES_PG_DSN_H_
#define BULWARK_LIBRARIES_PG_DSN_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bulwark::pg {

// Parses keyword=value pairs (values may be single-quoted with \ escapes).
std::map<std::string, std::string> ParseDsn(const std::string& dsn);

// Formats pairs, quoting every value.
std::string FormatDsn(const std::map<std::string, std::string>& fields);

std::string DsnWith(const std::string& base,
                    const std::vector<std::pair<std::string, std::string>>& overrides);

std::string DsnForRole(const std::string& server_dsn, const std::string& database,
                       const std::string& user, const std::string& password);

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_DSN_H_
