// File: libraries/jsone/parser.h
//
// Parser of the JSON-e expression language, following the reference grammar:
//   precedence, lowest first: ||, &&, in, == !=, < > <= >=, + -, * /, **
//   (right-assoc); unary - + ! apply to a single unit (so -a.b is (-a).b, as in
//   the reference); postfix .name, [i], [a:b], (args); literals, identifiers,
//   (...), [...], {...}.
// Errors are the reference's SyntaxError messages ("Found: X token, expected
// one of: ...", "Unexpected end of input", "unterminated ${..} expression",
// lexer errors). Where the reference would fail later with a JavaScript
// TypeError, this parser reports a SyntaxError.
//
// Thread-safety: pure functions.

#ifndef BULWARK_LIBRARIES_JSONE_PARSER_H_
#define BULWARK_LIBRARIES_JSONE_PARSER_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "libraries/jsone/expression.h"

namespace bulwark::jsone {

// Parses all of `source` as one expression.
absl::StatusOr<Expression> ParseExpression(std::string_view source);

// Parses the expression of a ${...} interpolation: `source` is the text after
// "${"; the expression must be followed by a `}` token. Sets *length to the
// bytes consumed, up to and including that `}`.
absl::StatusOr<Expression> ParseInterpolation(std::string_view source, size_t* length);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_PARSER_H_
