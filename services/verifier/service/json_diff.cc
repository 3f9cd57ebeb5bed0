#include "services/verifier/service/json_diff.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace bulwark::verifier {
namespace {

bool NumbersEqual(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
  const bool a_neg = a.is_number_integer() && !a.is_number_unsigned() && a.get<int64_t>() < 0;
  const bool b_neg = b.is_number_integer() && !b.is_number_unsigned() && b.get<int64_t>() < 0;
  if (a_neg != b_neg) return false;
  if (a_neg) return a.get<int64_t>() == b.get<int64_t>();
  return a.get<uint64_t>() == b.get<uint64_t>();
}

bool ScalarsEqual(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) return NumbersEqual(a, b);
  if (a.type() != b.type()) return false;
  return a == b;
}

std::string Escape(const std::string& key) {
  return absl::StrReplaceAll(key, {{"~", "~0"}, {"/", "~1"}});
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Shorten(std::string s) {
  if (s.size() > 80) s = absl::StrCat(s.substr(0, 77), "...");
  return s;
}

}  // namespace

std::vector<JsonDifference> JsonDiff(const nlohmann::json& a, const nlohmann::json& b,
                                     size_t max_differences) {
  std::vector<JsonDifference> out;
  struct Item {
    const nlohmann::json* a;
    const nlohmann::json* b;
    std::string pointer;
  };
  // Depth-first with an explicit stack; children pushed in reverse to keep document order.
  std::vector<Item> stack = {{&a, &b, ""}};
  while (!stack.empty() && out.size() < max_differences) {
    Item item = std::move(stack.back());
    stack.pop_back();
    if (item.a == nullptr || item.b == nullptr) {
      out.push_back({item.pointer,
                     item.a == nullptr ? std::nullopt : std::optional<std::string>(Dump(*item.a)),
                     item.b == nullptr ? std::nullopt : std::optional<std::string>(Dump(*item.b))});
      continue;
    }
    const nlohmann::json& x = *item.a;
    const nlohmann::json& y = *item.b;
    if (x.is_object() && y.is_object()) {
      std::set<std::string> keys;
      for (const auto& [k, v] : x.items()) keys.insert(k);
      for (const auto& [k, v] : y.items()) keys.insert(k);
      std::vector<Item> children;
      for (const std::string& k : keys) {
        const std::string p = absl::StrCat(item.pointer, "/", Escape(k));
        auto xi = x.find(k);
        auto yi = y.find(k);
        if (xi == x.end()) {
          children.push_back({nullptr, &*yi, p});
        } else if (yi == y.end()) {
          children.push_back({&*xi, nullptr, p});
        } else {
          children.push_back({&*xi, &*yi, p});
        }
      }
      for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
      continue;
    }
    if (x.is_array() && y.is_array() && x.size() == y.size()) {
      for (size_t i = x.size(); i-- > 0;) {
        stack.push_back({&x[i], &y[i], absl::StrCat(item.pointer, "/", i)});
      }
      continue;
    }
    if (!x.is_structured() && !y.is_structured() && ScalarsEqual(x, y)) continue;
    out.push_back({item.pointer, Dump(x), Dump(y)});
  }
  return out;
}

bool JsonStructurallyEqual(const nlohmann::json& a, const nlohmann::json& b) {
  return JsonDiff(a, b, 1).empty();
}

std::string DescribeDifferences(const std::vector<JsonDifference>& differences,
                                absl::string_view a_label, absl::string_view b_label) {
  std::vector<std::string> parts;
  parts.reserve(differences.size());
  for (const JsonDifference& d : differences) {
    parts.push_back(absl::StrCat("at ", d.pointer.empty() ? "(root)" : d.pointer, ": ", a_label,
                                 " ", d.a.has_value() ? Shorten(*d.a) : "absent", ", ", b_label,
                                 " ", d.b.has_value() ? Shorten(*d.b) : "absent"));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace bulwark::verifier
