#include "libraries/jsonschema/ecma_regex.h"

#include <algorithm>
#include <cwctype>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libraries/jsonschema/utf8.h"

namespace bulwark {
namespace jsonschema {
namespace {

// ECMAScript WhiteSpace and LineTerminator code points, as the body of a
// character class.
constexpr wchar_t kSpaceClassBody[] =
    L"\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f"
    L"\\u3000\\ufeff";

// Parses `count` hex digits at in[pos]; -1 if they are not all there.
long ParseHex(const std::wstring& in, size_t pos, size_t count) {
  if (pos + count > in.size()) return -1;
  long value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!std::iswxdigit(in[i])) return -1;
    value = value * 16 + (std::iswdigit(in[i]) ? in[i] - L'0' : (in[i] | 0x20) - L'a' + 10);
  }
  return value;
}

// A code point as std::regex source that matches exactly that code point.
std::wstring Literal(char32_t cp) {
  if (cp < 0x20 || cp == 0x7F) {
    constexpr wchar_t kHex[] = L"0123456789abcdef";
    return std::wstring(L"\\u00") + kHex[cp >> 4] + kHex[cp & 0xF];
  }
  if (std::wstring_view(L"^$\\.*+?()[]{}|/-").find(static_cast<wchar_t>(cp)) !=
      std::wstring_view::npos) {
    return std::wstring(L"\\") + static_cast<wchar_t>(cp);
  }
  return std::wstring(1, static_cast<wchar_t>(cp));
}

// Whether a quantifier (`*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`) starts at
// in[i].
bool IsQuantifierAt(const std::wstring& in, size_t i) {
  const wchar_t c = in[i];
  if (c == L'*' || c == L'+' || c == L'?') return true;
  if (c != L'{') return false;
  size_t j = i + 1;
  const auto digits = [&] {
    const size_t start = j;
    while (j < in.size() && in[j] >= L'0' && in[j] <= L'9') ++j;
    return j > start;
  };
  if (!digits()) return false;
  if (j < in.size() && in[j] == L',') {
    ++j;
    digits();
  }
  return j < in.size() && in[j] == L'}';
}

absl::Status Unsupported(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(what, " are not supported"));
}

// Rewrites an ECMA-262 pattern into the std::regex ECMAScript dialect (see the
// header). Sets *has_backref when the pattern uses numbered backreferences.
absl::StatusOr<std::wstring> Translate(const std::wstring& in, bool* has_backref) {
  std::wstring out;
  out.reserve(in.size() + 16);
  bool in_class = false;
  bool after_quantifier = false;
  for (size_t i = 0; i < in.size(); ++i) {
    const wchar_t c = in[i];
    if (c == L'[' && !in_class) {
      in_class = true;
      out += c;
      // A `]` right after `[` or `[^` closes the class in ECMAScript (`[]`,
      // `[^]`).
      if (i + 1 < in.size() && in[i + 1] == L'^') out += in[++i];
      if (i + 1 < in.size() && in[i + 1] == L']') {
        out += in[++i];
        in_class = false;
      }
      continue;
    }
    if (c == L']' && in_class) {
      in_class = false;
      out += c;
      continue;
    }
    if (c == L'(' && !in_class && i + 2 < in.size() && in[i + 1] == L'?' && in[i + 2] == L'<') {
      return Unsupported("lookbehind assertions and named groups");
    }
    if (!in_class && IsQuantifierAt(in, i)) {
      // `a**` and `a+*` are syntax errors in ECMAScript; std::regex accepts
      // them.
      if (after_quantifier) return absl::InvalidArgumentError("nothing to repeat");
      after_quantifier = true;
      const size_t end = c == L'{' ? in.find(L'}', i) : i;
      out.append(in, i, end - i + 1);
      i = end;
      if (i + 1 < in.size() && in[i + 1] == L'?') out += in[++i];  // Lazy.
      continue;
    }
    after_quantifier = false;
    if (c != L'\\') {
      out += c;
      continue;
    }
    if (i + 1 == in.size()) {
      return absl::InvalidArgumentError("\\ at end of pattern");
    }
    const wchar_t d = in[i + 1];
    switch (d) {
      case L's':
        out +=
            in_class ? std::wstring(kSpaceClassBody) : std::wstring(L"[") + kSpaceClassBody + L"]";
        ++i;
        break;
      case L'S':
        out += in_class ? std::wstring(L"\\S") : std::wstring(L"[^") + kSpaceClassBody + L"]";
        ++i;
        break;
      case L'u': {
        if (i + 2 < in.size() && in[i + 2] == L'{') {
          const size_t close = in.find(L'}', i + 3);
          const long cp = close == std::wstring::npos || close == i + 3 || close - i - 3 > 6
                              ? -1
                              : ParseHex(in, i + 3, close - i - 3);
          if (cp < 0 || cp > 0x10FFFF) {
            return absl::InvalidArgumentError("invalid \\u{...} escape");
          }
          out += Literal(static_cast<char32_t>(cp));
          i = close;
          break;
        }
        const long high = ParseHex(in, i + 2, 4);
        if (high < 0) return absl::InvalidArgumentError("invalid \\u escape");
        const long low = i + 7 < in.size() && in[i + 6] == L'\\' && in[i + 7] == L'u'
                             ? ParseHex(in, i + 8, 4)
                             : -1;
        if (high >= 0xD800 && high <= 0xDBFF && low >= 0xDC00 && low <= 0xDFFF) {
          out += Literal(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
          i += 11;
        } else {
          out += Literal(static_cast<char32_t>(high));
          i += 5;
        }
        break;
      }
      case L'c':
        if (i + 2 < in.size() && std::iswalpha(in[i + 2]) && in[i + 2] < 0x80) {
          out += Literal(in[i + 2] % 32);
          i += 2;
        } else {
          out += L"\\\\";  // ECMAScript: a `\c` not followed by a letter is a
                           // backslash.
        }
        break;
      case L'p':
      case L'P':
        return Unsupported("Unicode property escapes (\\p{...})");
      case L'k':
        return Unsupported("named backreferences (\\k<...>)");
      default:
        if (d >= L'1' && d <= L'9' && !in_class) *has_backref = true;
        out += c;
        out += d;
        ++i;
        break;
    }
  }
  return out;
}

// Whether every alternative of `pattern` (std::regex syntax) starts with `^`,
// so that it can only match at the start of the text.
bool AnchoredAtStart(const std::wstring& pattern) {
  if (pattern.empty() || pattern[0] != L'^') return false;
  int depth = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    switch (pattern[i]) {
      case L'\\':
        ++i;
        break;
      case L'[':
        if (i + 1 < pattern.size() && pattern[i + 1] == L'^') ++i;
        if (i + 1 < pattern.size() && pattern[i + 1] == L']') {
          ++i;  // `[]` or `[^]`.
          break;
        }
        while (++i < pattern.size() && pattern[i] != L']') {
          if (pattern[i] == L'\\') ++i;
        }
        break;
      case L'(':
        ++depth;
        break;
      case L')':
        --depth;
        break;
      case L'|':
        if (depth == 0) return false;
        break;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<EcmaRegex> EcmaRegex::Compile(absl::string_view pattern) {
  const auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid regular expression \"", pattern, "\": ", why));
  };
  bool has_backref = false;
  absl::StatusOr<std::wstring> translated = Translate(internal::DecodeUtf8(pattern), &has_backref);
  if (!translated.ok()) return invalid(translated.status().message());
  EcmaRegex regex;
  regex.source_ = std::string(pattern);
  regex.backtracking_ = has_backref;
  try {
    if (has_backref) {
      regex.regex_ =
          std::make_shared<const std::wregex>(*translated, std::regex_constants::ECMAScript);
    } else {
      // An anchored pattern can be run as is; any other gets a prefix that lets
      // the match start anywhere within one left-to-right pass.
      regex.regex_ = std::make_shared<const std::wregex>(
          AnchoredAtStart(*translated) ? *translated : L"[\\s\\S]*?(?:" + *translated + L")",
          std::regex_constants::ECMAScript | std::regex_constants::__polynomial);
    }
  } catch (const std::regex_error& e) {
    return invalid(e.what());
  }
  return regex;
}

absl::StatusOr<bool> EcmaRegex::Search(absl::string_view text) const {
  const std::wstring wide = internal::DecodeUtf8(text);
  if (backtracking_ && wide.size() > kMaxBacktrackingLength) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "pattern \"", source_, "\" uses backreferences and is not matched against strings over ",
        kMaxBacktrackingLength, " characters"));
  }
  if (!backtracking_ && wide.size() * std::max<size_t>(source_.size(), 1) > kMaxLinearCost) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "pattern \"", source_, "\" is not matched against a string of ", wide.size(),
        " characters: pattern length times text length may be at most ", kMaxLinearCost));
  }
  try {
    if (backtracking_) return std::regex_search(wide, *regex_);
    return std::regex_search(wide, *regex_, std::regex_constants::match_continuous);
  } catch (const std::regex_error& e) {
    return absl::ResourceExhaustedError(
        absl::StrCat("pattern \"", source_, "\" could not be evaluated: ", e.what()));
  }
}

}  // namespace jsonschema
}  // namespace bulwark
