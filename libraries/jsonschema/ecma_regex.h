// File: libraries/jsonschema/ecma_regex.h
//
// EcmaRegex: an ECMA-262 regular expression, the dialect of JSON Schema's
// `pattern`, `patternProperties` and format "regex", matched like JavaScript's
// RegExp with the `u` flag: by code point, unanchored
// (`RegExp.prototype.test`).
//
// Built on std::wregex (ECMAScript grammar) over UTF-32, with a translation
// step for the parts std::regex gets wrong or lacks: `\s`/`\S` use ECMAScript's
// Unicode white space, `\u{...}`, surrogate-pair escapes and `\cX` become
// literal code points. Features std::regex cannot express are rejected at
// compile time: lookbehind, named groups and `\k<...>`, and Unicode property
// escapes `\p{...}`.
//
// Patterns without backreferences run on libstdc++'s breadth-first executor:
// time linear in the text (times the pattern size) and stack use independent of
// the text, so untrusted input is safe; the cost is capped: a text whose length
// times the pattern's exceeds kMaxLinearCost is refused. Patterns with
// backreferences need the backtracking executor, which recurses once per
// character and can take exponential time; such a pattern refuses texts longer
// than kMaxBacktrackingLength code points, and services that take patterns
// from untrusted callers refuse them outright (uses_backreferences()).
//
// Thread-safety: an EcmaRegex is immutable after Compile; Search may be called
// concurrently. Copies share the compiled automaton.
//
// Errors: Compile returns INVALID_ARGUMENT naming the pattern and the problem;
// Search returns RESOURCE_EXHAUSTED when a text is over a limit above, or when
// the engine gives up.

#ifndef BULWARK_LIBRARIES_JSONSCHEMA_ECMA_REGEX_H_
#define BULWARK_LIBRARIES_JSONSCHEMA_ECMA_REGEX_H_

#include <cstddef>
#include <memory>
#include <regex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulwark {
namespace jsonschema {

class EcmaRegex {
 public:
  // Longest text (in code points) a pattern with backreferences is matched
  // against.
  static constexpr size_t kMaxBacktrackingLength = 1000;
  // Largest text length (code points) times pattern length (bytes) matched by
  // the linear engine.
  static constexpr size_t kMaxLinearCost = 4000000;

  // Compiles `pattern` (UTF-8 ECMA-262 source, without slashes or flags).
  static absl::StatusOr<EcmaRegex> Compile(absl::string_view pattern);

  // Whether the pattern matches somewhere in `text` (UTF-8).
  absl::StatusOr<bool> Search(absl::string_view text) const;

  // The pattern as given to Compile.
  const std::string& source() const { return source_; }
  // Whether the pattern has backreferences (and so runs on the backtracking
  // engine).
  bool uses_backreferences() const { return backtracking_; }

 private:
  EcmaRegex() = default;

  std::string source_;
  // Breadth-first mode: `[\s\S]*?(?:P)` (or `P` itself when every alternative
  // starts with `^`) matched at the start of the text.
  // Backtracking mode: `P` searched at every position.
  std::shared_ptr<const std::wregex> regex_;
  bool backtracking_ = false;
};

}  // namespace jsonschema
}  // namespace bulwark

#endif  // BULWARK_LIBRARIES_JSONSCHEMA_ECMA_REGEX_H_
