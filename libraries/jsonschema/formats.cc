#include "libraries/jsonschema/formats.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libraries/jsonschema/ecma_regex.h"
#include "libraries/jsonschema/json_pointer.h"
#include "libraries/jsonschema/uri.h"
#include "libraries/jsonschema/utf8.h"

namespace bulwark {
namespace jsonschema {
namespace {

// Reads exactly `count` digits from the front of *text into *value.
bool ConsumeDigits(absl::string_view* text, size_t count, int* value) {
  if (text->size() < count) return false;
  *value = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!absl::ascii_isdigit((*text)[i])) return false;
    *value = *value * 10 + ((*text)[i] - '0');
  }
  text->remove_prefix(count);
  return true;
}

bool ConsumeDate(absl::string_view* text) {
  int year, month, day;
  if (!ConsumeDigits(text, 4, &year) || !absl::ConsumePrefix(text, "-") ||
      !ConsumeDigits(text, 2, &month) || !absl::ConsumePrefix(text, "-") ||
      !ConsumeDigits(text, 2, &day) || month < 1 || month > 12 || day < 1) {
    return false;
  }
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// RFC 3339 full-time: partial-time time-offset. A leap second (:60) must fall
// on 23:59 UTC.
bool ConsumeTime(absl::string_view* text) {
  int hour, minute, second;
  if (!ConsumeDigits(text, 2, &hour) || !absl::ConsumePrefix(text, ":") ||
      !ConsumeDigits(text, 2, &minute) || !absl::ConsumePrefix(text, ":") ||
      !ConsumeDigits(text, 2, &second) || hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  if (absl::ConsumePrefix(text, ".")) {
    int digit;
    if (!ConsumeDigits(text, 1, &digit)) return false;
    while (ConsumeDigits(text, 1, &digit)) {
    }
  }
  int offset_minutes = 0;
  if (!absl::ConsumePrefix(text, "Z") && !absl::ConsumePrefix(text, "z")) {
    const bool negative = absl::ConsumePrefix(text, "-");
    if (!negative && !absl::ConsumePrefix(text, "+")) return false;
    int offset_hour, offset_minute;
    if (!ConsumeDigits(text, 2, &offset_hour) || !absl::ConsumePrefix(text, ":") ||
        !ConsumeDigits(text, 2, &offset_minute) || offset_hour > 23 || offset_minute > 59) {
      return false;
    }
    offset_minutes = (negative ? -1 : 1) * (offset_hour * 60 + offset_minute);
  }
  if (second == 60) {
    const int utc = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return false;
  }
  return true;
}

bool IsDate(absl::string_view text) { return ConsumeDate(&text) && text.empty(); }

bool IsTime(absl::string_view text) { return ConsumeTime(&text) && text.empty(); }

bool IsDateTime(absl::string_view text) {
  return ConsumeDate(&text) &&
         (absl::ConsumePrefix(&text, "T") || absl::ConsumePrefix(&text, "t")) &&
         ConsumeTime(&text) && text.empty();
}

// RFC 1123 host names (a trailing dot is allowed); `idn` also admits non-ASCII
// characters, with lengths counted in code points.
bool IsHostnameImpl(absl::string_view text, bool idn) {
  absl::string_view name = text;
  absl::ConsumeSuffix(&name, ".");
  if (name.empty() || internal::CodePointCount(name) > 253) return false;
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (label.empty() || internal::CodePointCount(label) > 63 || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-' && !(idn && static_cast<unsigned char>(c) >= 0x80)) {
        return false;
      }
    }
  }
  return true;
}

bool IsHostname(absl::string_view text) { return IsHostnameImpl(text, false); }

bool IsIdnHostname(absl::string_view text) { return IsHostnameImpl(text, true); }

// RFC 5321 mailbox: dot-atom or quoted-string local part, host name or address
// literal.
bool IsEmailImpl(absl::string_view text, bool idn) {
  const size_t at = text.rfind('@');
  if (at == absl::string_view::npos || at == 0) return false;
  const absl::string_view local = text.substr(0, at);
  const absl::string_view domain = text.substr(at + 1);
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    for (size_t i = 1; i + 1 < local.size(); ++i) {
      const unsigned char c = local[i];
      if (c == '\\') {
        if (++i + 1 >= local.size()) return false;
      } else if (c == '"' || c < 0x20 || c == 0x7F) {
        return false;
      }
    }
  } else {
    for (absl::string_view atom : absl::StrSplit(local, '.')) {
      if (atom.empty()) return false;
      for (char c : atom) {
        if (!absl::ascii_isalnum(c) &&
            absl::string_view("!#$%&'*+/=?^_`{|}~-").find(c) == absl::string_view::npos &&
            !(idn && static_cast<unsigned char>(c) >= 0x80)) {
          return false;
        }
      }
    }
  }
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']') {
    absl::string_view literal = domain.substr(1, domain.size() - 2);
    return absl::ConsumePrefix(&literal, "IPv6:") ? internal::IsIpv6(literal)
                                                  : internal::IsIpv4(literal);
  }
  return IsHostnameImpl(domain, idn);
}

bool IsEmail(absl::string_view text) { return IsEmailImpl(text, false); }

bool IsIdnEmail(absl::string_view text) { return IsEmailImpl(text, true); }

bool IsIpv4(absl::string_view text) { return internal::IsIpv4(text); }

bool IsIpv6(absl::string_view text) { return internal::IsIpv6(text); }

bool IsUri(absl::string_view text) { return internal::IsUri(text); }

bool IsUriReference(absl::string_view text) { return internal::IsUriReference(text); }

bool IsIri(absl::string_view text) { return internal::IsUri(text, /*iri=*/true); }

bool IsIriReference(absl::string_view text) { return internal::IsUriReference(text, /*iri=*/true); }

// RFC 6570 (level 4): literals, and expressions {op varspec,...} with
// prefix/explode modifiers.
bool IsUriTemplate(absl::string_view text) {
  const auto is_hex = [](char c) { return absl::ascii_isxdigit(c); };
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2])) return false;
      i += 2;
      continue;
    }
    if (c != '{') {
      if (c <= 0x20 || c == 0x7F ||
          absl::string_view("\"'<>\\^`|}").find(c) != absl::string_view::npos) {
        return false;
      }
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == absl::string_view::npos) return false;
    absl::string_view expression = text.substr(i + 1, close - i - 1);
    i = close;
    if (!expression.empty() &&
        absl::string_view("+#./;?&=,!@|").find(expression[0]) != absl::string_view::npos) {
      expression.remove_prefix(1);
    }
    for (absl::string_view varspec : absl::StrSplit(expression, ',')) {
      if (absl::ConsumeSuffix(&varspec, "*")) {
      } else if (const size_t colon = varspec.find(':'); colon != absl::string_view::npos) {
        const absl::string_view length = varspec.substr(colon + 1);
        if (length.empty() || length.size() > 4 || length[0] == '0' ||
            !std::all_of(length.begin(), length.end(), absl::ascii_isdigit)) {
          return false;
        }
        varspec = varspec.substr(0, colon);
      }
      if (varspec.empty() || varspec.front() == '.' || varspec.back() == '.') return false;
      for (size_t j = 0; j < varspec.size(); ++j) {
        const char v = varspec[j];
        if (v == '%') {
          if (j + 2 >= varspec.size() || !is_hex(varspec[j + 1]) || !is_hex(varspec[j + 2])) {
            return false;
          }
          j += 2;
        } else if (v == '.') {
          if (varspec[j + 1] == '.') return false;
        } else if (!absl::ascii_isalnum(v) && v != '_') {
          return false;
        }
      }
    }
  }
  return true;
}

bool IsJsonPointer(absl::string_view text) { return internal::IsJsonPointer(text); }

bool IsRelativeJsonPointer(absl::string_view text) { return internal::IsRelativeJsonPointer(text); }

bool IsRegex(absl::string_view text) { return EcmaRegex::Compile(text).ok(); }

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !absl::ascii_isxdigit(text[i])) return false;
  }
  return true;
}

}  // namespace

FormatChecker FindFormatChecker(absl::string_view name) {
  static constexpr std::pair<absl::string_view, FormatChecker> kCheckers[] = {
      {"date-time", IsDateTime},
      {"date", IsDate},
      {"time", IsTime},
      {"email", IsEmail},
      {"idn-email", IsIdnEmail},
      {"hostname", IsHostname},
      {"idn-hostname", IsIdnHostname},
      {"ipv4", IsIpv4},
      {"ipv6", IsIpv6},
      {"uri", IsUri},
      {"uri-reference", IsUriReference},
      {"iri", IsIri},
      {"iri-reference", IsIriReference},
      {"uri-template", IsUriTemplate},
      {"json-pointer", IsJsonPointer},
      {"relative-json-pointer", IsRelativeJsonPointer},
      {"regex", IsRegex},
      {"uuid", IsUuid},
  };
  for (const auto& [format, checker] : kCheckers) {
    if (format == name) return checker;
  }
  return nullptr;
}

}  // namespace jsonschema
}  // namespace bulwark
