// File: libraries/cron/cron_parser.h
//
// ParseCronSpec: turns a cron pattern into a CronSpec (cron_spec.h). The
// accepted language and the error messages are described in schedule.h, whose
// Schedule::Parse is the public entry point; this internal function exists so
// that tests can inspect the parsed fields.
//
// Thread-safety: a pure function. Errors: INVALID_ARGUMENT, with a message that
// names the problem and ends with "in `<pattern>`" (the pattern escaped and cut
// to 120 characters).

#ifndef BULWARK_LIBRARIES_CRON_CRON_PARSER_H_
#define BULWARK_LIBRARIES_CRON_CRON_PARSER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libraries/cron/cron_spec.h"

namespace bulwark::cron::internal {

absl::StatusOr<CronSpec> ParseCronSpec(absl::string_view pattern);

}  // namespace bulwark::cron::internal

#endif  // BULWARK_LIBRARIES_CRON_CRON_PARSER_H_
