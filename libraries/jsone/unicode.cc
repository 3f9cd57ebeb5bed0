#include "libraries/jsone/unicode.h"

#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <vector>

namespace bulwark::jsone {
namespace {

bool HasAstral(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0xF0) return true;
  }
  return false;
}

// The first UTF-16 code unit of `code_point`.
char32_t FirstUtf16Unit(char32_t code_point) {
  return code_point < 0x10000 ? code_point : 0xD800 + ((code_point - 0x10000) >> 10);
}

// Case mapping: single code point mappings from glibc's C.UTF-8 tables, the
// multi-code-point upper cases from special_casing.inc.
locale_t Utf8Locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}

char32_t SimpleLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  const locale_t locale = Utf8Locale();
  return locale != static_cast<locale_t>(0) ? towlower_l(c, locale) : c;
}

char32_t SimpleUpper(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  const locale_t locale = Utf8Locale();
  return locale != static_cast<locale_t>(0) ? towupper_l(c, locale) : c;
}

struct SpecialUpper {
  char32_t code_point;
  char32_t upper[3];
};
constexpr SpecialUpper kSpecialUpper[] = {
#include "libraries/jsone/special_casing.inc"
};

const SpecialUpper* FindSpecialUpper(char32_t c) {
  const auto* end = std::end(kSpecialUpper);
  const auto* it =
      std::lower_bound(std::begin(kSpecialUpper), end, c,
                       [](const SpecialUpper& e, char32_t x) { return e.code_point < x; });
  return it != end && it->code_point == c ? it : nullptr;
}

// Unicode's Cased property, approximately: letters that have a case mapping
// or are classified upper or lower case.
bool IsCased(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const locale_t locale = Utf8Locale();
  if (locale == static_cast<locale_t>(0)) return false;
  return SimpleLower(c) != c || SimpleUpper(c) != c || iswlower_l(c, locale) ||
         iswupper_l(c, locale);
}

// Unicode's Case_Ignorable property, approximately: combining marks, modifier
// letters and symbols, format characters, and the apostrophes, periods and
// colons that may sit inside words.
bool IsCaseIgnorable(char32_t c) {
  switch (c) {
    case '\'':
    case '.':
    case ':':
    case '^':
    case '`':
    case 0xA8:
    case 0xAD:
    case 0xAF:
    case 0xB4:
    case 0xB7:
    case 0xB8:
    case 0x2019:
    case 0x2024:
    case 0x2027:
      return true;
    default:
      return (c >= 0x2B0 && c <= 0x36F) || (c >= 0x483 && c <= 0x489) ||
             (c >= 0x591 && c <= 0x5BD) || (c >= 0x1AB0 && c <= 0x1AFF) ||
             (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x200B && c <= 0x200F) ||
             (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
             (c >= 0xFE20 && c <= 0xFE2F);
  }
}

// Whether the capital sigma at `i` ends a word (Unicode's Final_Sigma): a
// cased letter before it and none after it, ignoring case-ignorable ones.
bool IsFinalSigma(const std::vector<char32_t>& text, size_t i) {
  size_t before = i;
  while (before > 0 && IsCaseIgnorable(text[before - 1])) --before;
  if (before == 0 || !IsCased(text[before - 1])) return false;
  size_t after = i + 1;
  while (after < text.size() && IsCaseIgnorable(text[after])) ++after;
  return after == text.size() || !IsCased(text[after]);
}

std::vector<char32_t> Decode(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) out.push_back(DecodeUtf8(text, &pos));
  return out;
}

}  // namespace

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

char32_t DecodeUtf8(std::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) {
    return i < text.size() ? static_cast<unsigned char>(text[i]) & 0x3F : 0;
  };
  const unsigned char lead = static_cast<unsigned char>(text[*pos]);
  char32_t code_point;
  size_t length;
  if (lead < 0x80) {
    code_point = lead;
    length = 1;
  } else if (lead < 0xE0) {
    code_point = ((lead & 0x1F) << 6) | byte(*pos + 1);
    length = 2;
  } else if (lead < 0xF0) {
    code_point = ((lead & 0x0F) << 12) | (byte(*pos + 1) << 6) | byte(*pos + 2);
    length = 3;
  } else {
    code_point =
        ((lead & 0x07) << 18) | (byte(*pos + 1) << 12) | (byte(*pos + 2) << 6) | byte(*pos + 3);
    length = 4;
  }
  *pos = std::min(*pos + length, text.size());
  return code_point;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

size_t CodePointCount(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    // Count every byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string_view CodePointSubstr(std::string_view text, size_t begin, size_t end) {
  size_t pos = 0;
  size_t index = 0;
  while (index < begin && pos < text.size()) {
    DecodeUtf8(text, &pos);
    ++index;
  }
  const size_t start = pos;
  while (index < end && pos < text.size()) {
    DecodeUtf8(text, &pos);
    ++index;
  }
  return text.substr(start, pos - start);
}

int CompareUtf16(std::string_view a, std::string_view b) {
  // Without astral characters, UTF-8 byte order is UTF-16 order.
  if (!HasAstral(a) && !HasAstral(b)) return a.compare(b);
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const char32_t x = DecodeUtf8(a, &i);
    const char32_t y = DecodeUtf8(b, &j);
    if (x == y) continue;
    const char32_t ux = FirstUtf16Unit(x);
    const char32_t uy = FirstUtf16Unit(y);
    if (ux != uy) return ux < uy ? -1 : 1;
    return x < y ? -1 : 1;  // Same high surrogate: the low surrogates order as
                            // the code points.
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

bool IsJsWhitespace(char32_t c) {
  switch (c) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

std::string_view TrimJsWhitespace(std::string_view text, bool left, bool right) {
  if (left) {
    size_t pos = 0;
    while (pos < text.size()) {
      size_t next = pos;
      if (!IsJsWhitespace(DecodeUtf8(text, &next))) break;
      pos = next;
    }
    text.remove_prefix(pos);
  }
  if (right) {
    while (!text.empty()) {
      // Step back to the start of the last code point.
      size_t start = text.size() - 1;
      while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
        --start;
      }
      size_t pos = start;
      if (!IsJsWhitespace(DecodeUtf8(text, &pos))) break;
      text.remove_suffix(text.size() - start);
    }
  }
  return text;
}

std::string JsToLower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  if (IsAscii(text)) {
    for (char c : text) out.push_back(static_cast<char>(SimpleLower(c)));
    return out;
  }
  const std::vector<char32_t> code_points = Decode(text);
  for (size_t i = 0; i < code_points.size(); ++i) {
    const char32_t c = code_points[i];
    if (c == 0x130) {  // İ lower-cases to i followed by a combining dot.
      out.push_back('i');
      AppendUtf8(0x307, &out);
    } else if (c == 0x3A3 && IsFinalSigma(code_points, i)) {
      AppendUtf8(0x3C2, &out);  // ς
    } else {
      AppendUtf8(SimpleLower(c), &out);
    }
  }
  return out;
}

std::string JsToUpper(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  if (IsAscii(text)) {
    for (char c : text) out.push_back(static_cast<char>(SimpleUpper(c)));
    return out;
  }
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t c = DecodeUtf8(text, &pos);
    if (const SpecialUpper* special = FindSpecialUpper(c)) {
      for (char32_t u : special->upper) {
        if (u != 0) AppendUtf8(u, &out);
      }
    } else {
      AppendUtf8(SimpleUpper(c), &out);
    }
  }
  return out;
}

}  // namespace bulwark::jsone
