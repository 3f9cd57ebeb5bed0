#include "libraries/scopes/expression.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "libraries/scopes/scope.h"
#include "libraries/scopes/scope_set.h"

namespace bulwark::scopes {
namespace {

bool SatisfiesImpl(absl::Span<const std::string> scopes, const Expression& expr) {
  const auto satisfied = [&](const Expression& child) { return SatisfiesImpl(scopes, child); };
  const auto& children = expr.children();
  switch (expr.kind()) {
    case Expression::Kind::kScope:
      return SetSatisfies(scopes, expr.scope());
    case Expression::Kind::kAllOf:
      return std::all_of(children.begin(), children.end(), satisfied);
    case Expression::Kind::kAnyOf:
      return std::any_of(children.begin(), children.end(), satisfied);
  }
  return false;
}

// Appends the satisfied leaves of `expr` to `used` and returns true, or leaves
// `used` as it was and returns false. Every AnyOf branch is evaluated, so all
// matching branches are kept.
bool CollectSatisfying(absl::Span<const std::string> scopes, const Expression& expr,
                       std::vector<std::string>& used) {
  const size_t start = used.size();
  switch (expr.kind()) {
    case Expression::Kind::kScope:
      if (!SetSatisfies(scopes, expr.scope())) return false;
      used.push_back(expr.scope());
      return true;
    case Expression::Kind::kAllOf:
      for (const Expression& child : expr.children()) {
        if (!CollectSatisfying(scopes, child, used)) {
          used.resize(start);
          return false;
        }
      }
      return true;
    case Expression::Kind::kAnyOf: {
      bool found = false;
      for (const Expression& child : expr.children()) {
        found = CollectSatisfying(scopes, child, used) || found;
      }
      return found;
    }
  }
  return false;
}

// Appends `e` to `list` unless an equal expression is already there (first
// position kept).
void AppendUnique(std::vector<Expression>& list, const Expression& e) {
  if (std::find(list.begin(), list.end(), e) == list.end()) list.push_back(e);
}

// Upstream divideSubexpressions: unique scope leaves (sorted), unique AnyOfs,
// unique AllOfs.
struct Divided {
  std::vector<std::string> scopes;
  std::vector<Expression> any_ofs;
  std::vector<Expression> all_ofs;
};

Divided Divide(const std::vector<Expression>& subexprs) {
  Divided d;
  std::vector<Expression> scope_leaves;
  for (const Expression& e : subexprs) {
    switch (e.kind()) {
      case Expression::Kind::kScope:
        AppendUnique(scope_leaves, e);
        break;
      case Expression::Kind::kAnyOf:
        AppendUnique(d.any_ofs, e);
        break;
      case Expression::Kind::kAllOf:
        AppendUnique(d.all_ofs, e);
        break;
    }
  }
  for (const Expression& e : scope_leaves) d.scopes.push_back(e.scope());
  SortScopes(d.scopes);
  return d;
}

// Concatenates the children of `exprs` (all of kind `kind`); an expression of
// another kind is spliced in whole (see the header for where this differs from
// upstream).
std::vector<Expression> Flatten(const std::vector<Expression>& exprs, Expression::Kind kind) {
  std::vector<Expression> out;
  for (const Expression& e : exprs) {
    if (e.kind() == kind) {
      out.insert(out.end(), e.children().begin(), e.children().end());
    } else {
      out.push_back(e);
    }
  }
  return out;
}

Expression Simplify(const Expression& expr) {
  if (expr.is_scope()) return expr;
  const bool any_of = expr.kind() == Expression::Kind::kAnyOf;
  Divided d;
  if (any_of) {
    d = Divide(expr.children());
    for (Expression& e : d.any_ofs) e = Simplify(e);
    for (Expression& e : d.all_ofs) e = Simplify(e);
  } else {
    std::vector<Expression> simplified;
    for (const Expression& e : expr.children()) simplified.push_back(Simplify(e));
    d = Divide(simplified);
    d.scopes = NormalizeScopeSet(std::move(d.scopes));
  }
  // Nested nodes of the same kind are flattened, which may create repeats:
  // simplify again.
  std::vector<Expression>& same_kind = any_of ? d.any_ofs : d.all_ofs;
  const bool rerun = !same_kind.empty();
  if (rerun) same_kind = Flatten(same_kind, expr.kind());
  std::vector<Expression> subexprs(d.scopes.begin(), d.scopes.end());
  subexprs.insert(subexprs.end(), d.any_ofs.begin(), d.any_ofs.end());
  subexprs.insert(subexprs.end(), d.all_ofs.begin(), d.all_ofs.end());
  if (subexprs.size() == 1) return subexprs[0];
  Expression result =
      any_of ? Expression::AnyOf(std::move(subexprs)) : Expression::AllOf(std::move(subexprs));
  return rerun ? Simplify(result) : result;
}

}  // namespace

bool ValidExpression(const Expression& expr) {
  if (expr.is_scope()) return ValidScope(expr.scope());
  return std::all_of(expr.children().begin(), expr.children().end(),
                     [](const Expression& e) { return ValidExpression(e); });
}

bool SatisfiesExpression(absl::Span<const std::string> scopes, const Expression& expr) {
  return SatisfiesImpl(scopes, expr);
}

std::optional<std::vector<std::string>> ScopesSatisfying(absl::Span<const std::string> scopes,
                                                         const Expression& expr) {
  std::vector<std::string> used;
  if (!CollectSatisfying(scopes, expr, used)) return std::nullopt;
  return SortAndNormalize(std::move(used));
}

std::optional<Expression> RemoveGivenScopes(absl::Span<const std::string> scopes,
                                            const Expression& expr) {
  switch (expr.kind()) {
    case Expression::Kind::kScope:
      if (SetSatisfies(scopes, expr.scope())) return std::nullopt;
      return expr;
    case Expression::Kind::kAllOf: {
      std::vector<Expression> missing;
      for (const Expression& child : expr.children()) {
        if (auto rest = RemoveGivenScopes(scopes, child)) {
          missing.push_back(*std::move(rest));
        }
      }
      if (missing.empty()) return std::nullopt;
      if (missing.size() == 1) return std::move(missing[0]);
      return Expression::AllOf(std::move(missing));
    }
    case Expression::Kind::kAnyOf: {
      std::vector<Expression> missing;
      bool any_satisfied = false;
      for (const Expression& child : expr.children()) {
        if (auto rest = RemoveGivenScopes(scopes, child)) {
          missing.push_back(*std::move(rest));
        } else {
          any_satisfied = true;
        }
      }
      if (any_satisfied) return std::nullopt;
      if (missing.size() == 1) return std::move(missing[0]);
      return Expression::AnyOf(std::move(missing));
    }
  }
  return std::nullopt;
}

absl::StatusOr<Expression> SimplifyScopeExpression(const Expression& expr) {
  if (!ValidExpression(expr)) {
    return absl::InvalidArgumentError("Cannot simplify invalid scope expression");
  }
  return Simplify(expr);
}

}  // namespace bulwark::scopes
