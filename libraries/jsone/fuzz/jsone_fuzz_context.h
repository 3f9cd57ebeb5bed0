// File: libraries/jsone/fuzz/jsone_fuzz_context.h
//
// The context and time both JSON-e fuzz targets render with: a GitHub-push-like event, numbers,
// strings, arrays and nested objects, so that mutated templates and expressions find values to
// work on. Also CheckRender, the properties both targets assert on a render.
//
// Thread-safety: pure functions. Errors: none (CheckRender aborts on a broken property).
#ifndef BULWARK_LIBRARIES_JSONE_FUZZ_JSONE_FUZZ_CONTEXT_H_
#define BULWARK_LIBRARIES_JSONE_FUZZ_JSONE_FUZZ_CONTEXT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "libraries/jsone/render.h"
#include "libraries/testing/fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"

namespace bulwark::jsone::fuzz {

inline const nlohmann::json& FuzzContext() {
  static const nlohmann::json* context = new nlohmann::json(nlohmann::json::parse(R"({
    "event": {"ref": "refs/heads/main", "after": "0123456789abcdef0123456789abcdef01234567",
              "repository": {"full_name": "org/repo", "clone_url": "https://example.com/r.git"},
              "commits": [{"id": "a1", "message": "fix"}, {"id": "b2", "message": "feat: x"}],
              "pusher": {"name": "dev", "email": null}, "forced": false, "size": 2},
    "n": 3, "x": -1.5, "big": 9007199254740993, "s": "héllo 𝄞", "e": "", "t": true,
    "a": [1, "two", [3], {"four": 4}, null], "o": {"k": "v", "n": {"d": [0.5]}},
    "tasks": [{"name": "build", "deps": []}, {"name": "test", "deps": ["build"]}],
    "when": "2026-01-01T00:00:00.000Z"
  })"));
  return *context;
}

inline absl::Time FuzzNow() { return absl::FromUnixSeconds(1767225600); }

// Renders `tmpl` twice and checks: the result is the same both times, an error is a JSON-e
// error (INVALID_ARGUMENT, "<Type>Error..." or "Error: ...") or the render budget's
// RESOURCE_EXHAUSTED ("... rendering stopped"), and a result serializes.
inline void CheckRender(const nlohmann::json& tmpl) {
  absl::StatusOr<nlohmann::json> first = Render(tmpl, FuzzContext(), FuzzNow());
  absl::StatusOr<nlohmann::json> second = Render(tmpl, FuzzContext(), FuzzNow());
  FUZZ_CHECK(first.ok() == second.ok()) << first.status() << " vs " << second.status();
  if (!first.ok()) {
    FUZZ_CHECK(first.status() == second.status()) << first.status() << " vs " << second.status();
    const absl::string_view m = first.status().message();
    if (first.status().code() == absl::StatusCode::kResourceExhausted) {
      // Over the render budget (RenderLimits), said as such.
      FUZZ_CHECK(absl::StrContains(m, "rendering stopped")) << first.status();
      return;
    }
    FUZZ_CHECK(first.status().code() == absl::StatusCode::kInvalidArgument) << first.status();
    FUZZ_CHECK(absl::StartsWith(m, "SyntaxError") || absl::StartsWith(m, "InterpreterError") ||
               absl::StartsWith(m, "TemplateError") || absl::StartsWith(m, "BuiltinError") ||
               absl::StartsWith(m, "Error: "))
        << first.status();
    return;
  }
  // Compared as text: a result may hold NaN (number("x") is NaN, as in JavaScript), which is
  // never equal to itself; JSON text writes it as null, as JSON.stringify does.
  std::string first_text, second_text;
  try {
    first_text = first->dump();
    second_text = second->dump();
  } catch (const nlohmann::json::exception& e) {
    FUZZ_CHECK(false) << "the result does not serialize: " << e.what();
  }
  FUZZ_CHECK(first_text == second_text) << tmpl.dump();
}

}  // namespace bulwark::jsone::fuzz

#endif  // BULWARK_LIBRARIES_JSONE_FUZZ_JSONE_FUZZ_CONTEXT_H_
