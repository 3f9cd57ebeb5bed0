#include "libraries/jsone/expression_cache.h"

#include "libraries/jsone/parser.h"

namespace bulwark::jsone {
namespace {

ParsedText ParseWhole(std::string_view source) {
  ParsedText parsed;
  parsed.expression = ParseExpression(source);
  return parsed;
}

ParsedText ParseInterpolated(std::string_view source) {
  ParsedText parsed;
  parsed.expression = ParseInterpolation(source, &parsed.length);
  return parsed;
}

}  // namespace

const ParsedText& ExpressionCache::GetExpression(std::string_view source) {
  auto [it, inserted] = entries_.try_emplace(Key(source.data(), source.size(), false));
  if (inserted) it->second = ParseWhole(source);
  return it->second;
}

const ParsedText& ExpressionCache::GetInterpolation(std::string_view source) {
  auto [it, inserted] = entries_.try_emplace(Key(source.data(), source.size(), true));
  if (inserted) it->second = ParseInterpolated(source);
  return it->second;
}

const ParsedText& ParsedExpression(ExpressionCache* cache, std::string_view source,
                                   ParsedText* scratch) {
  if (cache != nullptr) return cache->GetExpression(source);
  *scratch = ParseWhole(source);
  return *scratch;
}

const ParsedText& ParsedInterpolation(ExpressionCache* cache, std::string_view source,
                                      ParsedText* scratch) {
  if (cache != nullptr) return cache->GetInterpolation(source);
  *scratch = ParseInterpolated(source);
  return *scratch;
}

}  // namespace bulwark::jsone
