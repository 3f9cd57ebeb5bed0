// File: libraries/status/status_macros.h
//
// BULWARK_RETURN_IF_ERROR and BULWARK_ASSIGN_OR_RETURN: early-return helpers for absl::Status
// and absl::StatusOr. Debian's Abseil (LTS 20220623) predates absl's own status macros.
//
//   BULWARK_RETURN_IF_ERROR(DoThing());
//   BULWARK_ASSIGN_OR_RETURN(Client client, store.GetClient(id));
//
// Thread-safety: macros only. Errors: whatever the wrapped expression returns.

#ifndef BULWARK_LIBRARIES_STATUS_STATUS_MACROS_H_
#define BULWARK_LIBRARIES_STATUS_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define BULWARK_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::absl::Status bulwark_status_ = (expr);           \
    if (!bulwark_status_.ok()) return bulwark_status_; \
  } while (0)

#define BULWARK_STATUS_MACROS_CONCAT_INNER(a, b) a##b
#define BULWARK_STATUS_MACROS_CONCAT(a, b) BULWARK_STATUS_MACROS_CONCAT_INNER(a, b)

#define BULWARK_ASSIGN_OR_RETURN(lhs, rexpr)                                                    \
  BULWARK_ASSIGN_OR_RETURN_IMPL(BULWARK_STATUS_MACROS_CONCAT(bulwark_statusor_, __LINE__), lhs, \
                                rexpr)

#define BULWARK_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#endif  // BULWARK_LIBRARIES_STATUS_STATUS_MACROS_H_
