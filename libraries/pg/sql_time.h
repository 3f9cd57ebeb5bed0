// File: libraries/pg/sql_time.h
//
// Times between C++ and SQL, exactly: timestamptz travels as integer microseconds since the
// epoch, so nothing is rounded on the way in or out.
//   TimestampParam(3)      SQL text turning parameter $3 (bigint µs) into a timestamptz
//   MicrosOf("created")    SQL text turning a timestamptz column into bigint µs
//   Micros(t) / TimeFromMicros(field)
// A NULL timestamptz reads as absl::InfinitePast().
//
// Thread-safety: pure functions.

#ifndef BULWARK_LIBRARIES_PG_SQL_TIME_H_
#define BULWARK_LIBRARIES_PG_SQL_TIME_H_

#include <pqxx/field>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace bulwark::pg {

inline std::string TimestampParam(int n) {
  return absl::StrCat("(timestamptz 'epoch' + $", n, "::bigint * interval '1 microsecond')");
}

inline std::string MicrosOf(const std::string& column) {
  return absl::StrCat("(extract(epoch from ", column, ") * 1000000)::bigint");
}

inline int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

inline absl::Time TimeFromMicros(const pqxx::field& f) {
  return f.is_null() ? absl::InfinitePast() : absl::FromUnixMicros(f.as<int64_t>());
}

}  // namespace bulwark::pg

#endif  // BULWARK_LIBRARIES_PG_SQL_TIME_H_
