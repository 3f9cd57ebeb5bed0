// File: libraries/pg/dsn.h
//
// DsnWith: derives a libpq connection string from another by setting keywords, e.g. the same
// server as another user or database. Works on keyword=value strings ("host=… port=…"), where
// a later keyword overrides an earlier one; URIs are not supported (the project writes its
// connection strings in keyword form). Values are quoted as libpq requires.
//
// Thread-safety: pure function.

#ifndef BULWARK_LIBRARIES_PG_DSN_H_
#define BULWARK_LIBRARIES_PG_DSN_H_

#include <string>
#include <utility>
#include <vector>

namespace bulwark::pg {

std::string DsnWith(const std::string& base,
                    const std::vector<std::pair<std::string, std::string>>& overrides);

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_DSN_H_
