// File: libraries/logging/log.h
//
// One-line JSON logs on stderr, the format every Bulwark process writes:
//   {"ts":"2026-11-23T09:00:00.123Z","level":"info","service":"auth","msg":"…",…fields}
// Fields are given as an nlohmann::json object and merged into the line.
//
// Thread-safety: Log may be called from any thread; each line is written with one write(2),
// so lines never interleave. Errors: none (a failed write is dropped).

#ifndef BULWARK_LIBRARIES_LOGGING_LOG_H_
#define BULWARK_LIBRARIES_LOGGING_LOG_H_

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace bulwark {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Names the process in every line ("service" field). Call once from main.
void SetLogServiceName(absl::string_view name);

// Writes one line.
void Log(LogLevel level, absl::string_view message,
         const nlohmann::json& fields = nlohmann::json::object());

inline void LogInfo(absl::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarning(absl::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(LogLevel::kWarning, m, f);
}
inline void LogError(absl::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(LogLevel::kError, m, f);
}

}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_LOGGING_LOG_H_
