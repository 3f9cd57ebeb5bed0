#include "libraries/jsonschema/json_compare.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>

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
    const int c =
        Sign<int64_t>(static_cast<int64_t>(floor), static_cast<int64_t>(i));
    if (c != 0) return c;
  } else {
    if (i < 0) return 1;
    const int c =
        Sign<uint64_t>(static_cast<uint64_t>(floor), static_cast<uint64_t>(i));
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
      if (std::isnan(x) || std::isnan(y))
        return Sign<int>(std::isnan(x), std::isnan(y));
      return Sign(x, y);
    }
    if (a.is_number_float()) {
      return b.is_number_unsigned()
                 ? CompareDoubleInt(a.get<double>(), b.get<uint64_t>())
                 : CompareDoubleInt(a.get<double>(), b.get<int64_t>());
    }
    return -CompareNumbers(b, a);
  }
  if (a.is_number_unsigned() && b.is_number_unsigned()) {
    return Sign(a.get<uint64_t>(), b.get<uint64_t>());
  }
  if (a.is_number_unsigned())
    return b.get<int64_t>() < 0 ? 1
                                : Sign(a.get<uint64_t>(), b.get<uint64_t>());
  if (b.is_number_unsigned()) return -CompareNumbers(b, a);
  return Sign(a.get<int64_t>(), b.get<int64_t>());
}

bool IsInteger(const json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  const double d = value.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

bool JsonEqual(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::array: {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!JsonEqual(a[i], b[i])) return false;
      }
      return true;
    }
    case json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(); it != a.end(); ++it) {
        const auto other = b.find(it.key());
        if (other == b.end() || !JsonEqual(it.value(), *other)) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

size_t JsonHash(const json& value) {
  size_t seed = static_cast<size_t>(
      value.is_number() ? json::value_t::number_float : value.type());
  switch (value.type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: {
      // Equal numbers must hash alike whatever their type: hash integral values
      // as doubles (several large integers may share a hash; equality still
      // separates them).
      const double d = value.get<double>();
      return Combine(seed, std::hash<double>()(d == 0 ? 0.0 : d));
    }
    case json::value_t::string:
      return Combine(
          seed, std::hash<std::string>()(value.get_ref<const std::string&>()));
    case json::value_t::boolean:
      return Combine(seed, value.get<bool>());
    case json::value_t::array:
      for (const json& item : value) seed = Combine(seed, JsonHash(item));
      return seed;
    case json::value_t::object: {
      // nlohmann::json keeps object members sorted by key, so the order is
      // canonical.
      for (auto it = value.begin(); it != value.end(); ++it) {
        seed = Combine(seed, std::hash<std::string>()(it.key()));
        seed = Combine(seed, JsonHash(it.value()));
      }
      return seed;
    }
    default:
      return seed;
  }
}

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
