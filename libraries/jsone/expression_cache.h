// File: libraries/jsone/expression_cache.h
//
// ExpressionCache: the expressions parsed during one render, so that a template
// string is parsed once however often it is evaluated (e.g. the body of a $map,
// once per item). Entries are keyed by the address of their text, which must
// belong to the template being rendered and so stays put for the render. Parse
// errors are kept too.
//
// ParsedExpression/ParsedInterpolation work with or without a cache (a null
// cache parses into `scratch`).
//
// Thread-safety: one cache per render; not for concurrent use.

#ifndef BULWARK_LIBRARIES_JSONE_EXPRESSION_CACHE_H_
#define BULWARK_LIBRARIES_JSONE_EXPRESSION_CACHE_H_

#include <cstddef>
#include <string_view>
#include <tuple>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "libraries/jsone/expression.h"

namespace bulwark::jsone {

struct ParsedText {
  absl::StatusOr<Expression> expression = Expression();
  size_t length = 0;  // Interpolations: bytes up to and including the closing "}".
};

class ExpressionCache {
 public:
  // ParseExpression(source), cached.
  const ParsedText& GetExpression(std::string_view source);
  // ParseInterpolation(source), cached.
  const ParsedText& GetInterpolation(std::string_view source);

 private:
  using Key = std::tuple<const char*, size_t, bool>;
  absl::node_hash_map<Key, ParsedText> entries_;
};

// Through `cache` when it is not null; otherwise parses into *scratch and
// returns it.
const ParsedText& ParsedExpression(ExpressionCache* cache, std::string_view source,
                                   ParsedText* scratch);
const ParsedText& ParsedInterpolation(ExpressionCache* cache, std::string_view source,
                                      ParsedText* scratch);

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_EXPRESSION_CACHE_H_
