#include "libraries/jsone/json_text.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "libraries/jsone/js_number.h"
#include "libraries/jsone/unicode.h"

namespace bulwark::jsone {
namespace {

void AppendNewline(const StringifyOptions& options, int depth, std::string* out) {
  if (options.indent <= 0) return;
  out->push_back('\n');
  out->append(static_cast<size_t>(options.indent) * depth, ' ');
}

void AppendValue(const Value& value, const StringifyOptions& options, int depth, std::string* out);

void AppendObject(const Object& object, const StringifyOptions& options, int depth,
                  std::string* out) {
  std::vector<const Object::Member*> members;
  members.reserve(object.size());
  for (const auto& member : object) {
    if (!member.second.is_function()) members.push_back(&member);
  }
  if (options.key_order == KeyOrder::kUtf16) {
    std::stable_sort(members.begin(), members.end(),
                     [](const Object::Member* a, const Object::Member* b) {
                       return CompareUtf16(a->first, b->first) < 0;
                     });
  }
  if (members.empty()) {
    out->append("{}");
    return;
  }
  out->push_back('{');
  bool first = true;
  for (const Object::Member* member : members) {
    if (!first) out->push_back(',');
    first = false;
    AppendNewline(options, depth + 1, out);
    AppendJsonString(member->first, out);
    out->push_back(':');
    if (options.indent > 0) out->push_back(' ');
    AppendValue(member->second, options, depth + 1, out);
  }
  AppendNewline(options, depth, out);
  out->push_back('}');
}

void AppendValue(const Value& value, const StringifyOptions& options, int depth, std::string* out) {
  switch (value.type()) {
    case Value::Type::kNull:
    case Value::Type::kFunction:
      out->append("null");
      return;
    case Value::Type::kBool:
      out->append(value.bool_value() ? "true" : "false");
      return;
    case Value::Type::kNumber:
      if (std::isfinite(value.number())) {
        AppendJsNumber(value.number(), out);
      } else {
        out->append("null");
      }
      return;
    case Value::Type::kString:
      AppendJsonString(value.string(), out);
      return;
    case Value::Type::kArray: {
      const Array& items = value.array();
      if (items.empty()) {
        out->append("[]");
        return;
      }
      out->push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendNewline(options, depth + 1, out);
        AppendValue(items[i], options, depth + 1, out);
      }
      AppendNewline(options, depth, out);
      out->push_back(']');
      return;
    }
    case Value::Type::kObject:
      AppendObject(value.object(), options, depth, out);
      return;
  }
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u >= 0x20) {
      out->push_back(c);
    } else {
      // Control characters: the short escapes where JSON has them, else \u00XX.
      static constexpr std::string_view kLetters = "btn0fr";
      const size_t index = u >= 8 && u <= 13 ? u - 8 : std::string_view::npos;
      if (index != std::string_view::npos && kLetters[index] != '0') {
        out->push_back('\\');
        out->push_back(kLetters[index]);
      } else {
        out->append("\\u00");
        out->push_back(kHex[u >> 4]);
        out->push_back(kHex[u & 0xF]);
      }
    }
  }
  out->push_back('"');
}

std::string Stringify(const Value& value, const StringifyOptions& options) {
  std::string out;
  AppendStringified(value, options, &out);
  return out;
}

void AppendStringified(const Value& value, const StringifyOptions& options, std::string* out) {
  AppendValue(value, options, 0, out);
}

void AppendJsString(const Value& value, std::string* out) {
  switch (value.type()) {
    case Value::Type::kNull:
      out->append("null");
      return;
    case Value::Type::kBool:
      out->append(value.bool_value() ? "true" : "false");
      return;
    case Value::Type::kNumber:
      AppendJsNumber(value.number(), out);
      return;
    case Value::Type::kString:
      out->append(value.string());
      return;
    case Value::Type::kArray: {
      bool first = true;
      for (const Value& item : value.array()) {
        if (!first) out->push_back(',');
        first = false;
        if (!item.is_null()) AppendJsString(item, out);
      }
      return;
    }
    case Value::Type::kObject:
      out->append("[object Object]");
      return;
    case Value::Type::kFunction:
      out->append("function ");
      out->append(value.function().name());
      out->append("() { [native code] }");
      return;
  }
}

std::string JsString(const Value& value) {
  std::string out;
  AppendJsString(value, &out);
  return out;
}

}  // namespace bulwark::jsone
