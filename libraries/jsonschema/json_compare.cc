#include "libraries/jsonschema/json_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

using json = nlohmann::json;

template <typename T>
int Sign(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Compares a double with a signed or unsigned 64-bit integer exactly.
template <typename Int>
int CompareDoubleInt(double d, Int i) {
  if (std::isnan(d)) return 1;
  // 2^63 and 2^64 are exact doubles; every int64/uint64 lies in [-2^63, 2^64).
  if (d >= 18446744073709551616.0) return 1;
  if (d < -9223372036854775808.0) return -1;
  const double floor = std::floor(d);
  if (floor < 0) {
    if (i >= 0) return -1;
    const int c = Sign<int64_t>(static_cast<int64_t>(floor), static_cast<int64_t>(i));
    if (c != 0) return c;
  } else {
    if (i < 0) return 1;
    const int c = Sign<uint64_t>(static_cast<uint64_t>(floor), static_cast<uint64_t>(i));
    if (c != 0) return c;
  }
  return d > floor ? 1 : 0;
}

size_t Combine(size_t seed, size_t value) {
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

int CompareNumbers(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    if (a.is_number_float() && b.is_number_float()) {
      const double x = a.get<double>();
      const double y = b.get<double>();
      if (std::isnan(x) || std::isnan(y)) return Sign<int>(std::isnan(x), std::isnan(y));
      return Sign(x, y);
    }
    if (a.is_number_float()) {
      return b.is_number_unsigned() ? CompareDoubleInt(a.get<double>(), b.get<uint64_t>())
                                    : CompareDoubleInt(a.get<double>(), b.get<int64_t>());
    }
    return -CompareNumbers(b, a);
  }
  if (a.is_number_unsigned() && b.is_number_unsigned()) {
    return Sign(a.get<uint64_t>(), b.get<uint64_t>());
  }
  if (a.is_number_unsigned())
    return b.get<int64_t>() < 0 ? 1 : Sign(a.get<uint64_t>(), b.get<uint64_t>());
  if (b.is_number_unsigned()) return -CompareNumbers(b, a);
  return Sign(a.get<int64_t>(), b.get<int64_t>());
}

bool IsInteger(const json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  const double d = value.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

// Both walks below use an explicit stack: instances come from untrusted input
// and may nest deeper than the call stack allows.

bool JsonEqual(const json& a, const json& b) {
  std::vector<std::pair<const json*, const json*>> pending = {{&a, &b}};
  while (!pending.empty()) {
    const auto [x, y] = pending.back();
    pending.pop_back();
    if (x->is_number() && y->is_number()) {
      if (CompareNumbers(*x, *y) != 0) return false;
      continue;
    }
    if (x->type() != y->type()) return false;
    switch (x->type()) {
      case json::value_t::array:
        if (x->size() != y->size()) return false;
        for (size_t i = 0; i < x->size(); ++i) pending.emplace_back(&(*x)[i], &(*y)[i]);
        break;
      case json::value_t::object:
        if (x->size() != y->size()) return false;
        for (auto it = x->begin(); it != x->end(); ++it) {
          const auto other = y->find(it.key());
          if (other == y->end()) return false;
          pending.emplace_back(&it.value(), &*other);
        }
        break;
      default:
        if (*x != *y) return false;
    }
  }
  return true;
}

size_t JsonHash(const json& value) {
  // Mixes in every value in pre-order: type (all numbers alike) and scalar or
  // size, with object keys before their values. nlohmann::json keeps object
  // members sorted by key, so the order is canonical.
  struct Step {
    const std::string* key;
    const json* value;
  };
  std::vector<Step> pending = {{nullptr, &value}};
  size_t seed = 0;
  while (!pending.empty()) {
    const Step step = pending.back();
    pending.pop_back();
    if (step.key != nullptr) seed = Combine(seed, std::hash<std::string>()(*step.key));
    const json& v = *step.value;
    seed =
        Combine(seed, static_cast<size_t>(v.is_number() ? json::value_t::number_float : v.type()));
    switch (v.type()) {
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
      case json::value_t::number_float: {
        // Equal numbers must hash alike whatever their type, so integers hash
        // as doubles (large integers may collide; equality still separates
        // them).
        const double d = v.get<double>();
        seed = Combine(seed, std::hash<double>()(d == 0 ? 0.0 : d));
        break;
      }
      case json::value_t::string:
        seed = Combine(seed, std::hash<std::string>()(v.get_ref<const std::string&>()));
        break;
      case json::value_t::boolean:
        seed = Combine(seed, v.get<bool>());
        break;
      case json::value_t::array:
        seed = Combine(seed, v.size());
        for (size_t i = v.size(); i-- > 0;) pending.push_back({nullptr, &v[i]});
        break;
      case json::value_t::object: {
        seed = Combine(seed, v.size());
        const size_t first = pending.size();
        for (auto it = v.begin(); it != v.end(); ++it) pending.push_back({&it.key(), &it.value()});
        std::reverse(pending.begin() + first, pending.end());
        break;
      }
      default:
        break;
    }
  }
  return seed;
}

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
