#include "libraries/jsone/unicode.h"

#include <algorithm>
#include <cstring>

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
  return code_point < 0x10000 ? code_point
                              : 0xD800 + ((code_point - 0x10000) >> 10);
}

bool InRange(char32_t c, char32_t low, char32_t high) {
  return c >= low && c <= high;
}

// In Latin Extended-A and Cyrillic the case pairs alternate: the upper case
// letter sits at an even or odd code point followed by its lower case letter.
bool IsUpperOfPair(char32_t c, bool upper_is_even) {
  return (c % 2 == 0) == upper_is_even;
}

// Lower case of `c`, or 0 when it needs more than one code point (handled by
// the caller).
char32_t LowerCodePoint(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (InRange(c, 0xC0, 0xDE) && c != 0xD7) return c + 32;
  if ((InRange(c, 0x100, 0x12F) || InRange(c, 0x132, 0x137) ||
       InRange(c, 0x14A, 0x177)) &&
      IsUpperOfPair(c, true)) {
    return c + 1;
  }
  if ((InRange(c, 0x139, 0x148) || InRange(c, 0x179, 0x17E)) &&
      IsUpperOfPair(c, false)) {
    return c + 1;
  }
  if (c == 0x178) return 0xFF;
  if (InRange(c, 0x391, 0x3AB) && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (InRange(c, 0x388, 0x38A)) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (InRange(c, 0x38E, 0x38F)) return c + 63;
  if (InRange(c, 0x410, 0x42F)) return c + 32;
  if (InRange(c, 0x400, 0x40F)) return c + 80;
  if ((InRange(c, 0x460, 0x481) || InRange(c, 0x48A, 0x4BF)) &&
      IsUpperOfPair(c, true)) {
    return c + 1;
  }
  return c;
}

char32_t UpperCodePoint(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  if (InRange(c, 0xE0, 0xFE) && c != 0xF7) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c == 0xB5) return 0x39C;
  if (c == 0x131) return 'I';
  if (c == 0x17F) return 'S';
  if ((InRange(c, 0x101, 0x12F) || InRange(c, 0x133, 0x137) ||
       InRange(c, 0x14B, 0x177)) &&
      !IsUpperOfPair(c, true)) {
    return c - 1;
  }
  if ((InRange(c, 0x13A, 0x148) || InRange(c, 0x17A, 0x17E)) &&
      !IsUpperOfPair(c, false)) {
    return c - 1;
  }
  if (InRange(c, 0x3B1, 0x3CB) && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c == 0x3AC) return 0x386;
  if (InRange(c, 0x3AD, 0x3AF)) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (InRange(c, 0x3CD, 0x3CE)) return c - 63;
  if (InRange(c, 0x430, 0x44F)) return c - 32;
  if (InRange(c, 0x450, 0x45F)) return c - 80;
  if ((InRange(c, 0x461, 0x481) || InRange(c, 0x48B, 0x4BF)) &&
      !IsUpperOfPair(c, true)) {
    return c - 1;
  }
  return c;
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
    code_point = ((lead & 0x07) << 18) | (byte(*pos + 1) << 12) |
                 (byte(*pos + 2) << 6) | byte(*pos + 3);
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

std::string_view CodePointSubstr(std::string_view text, size_t begin,
                                 size_t end) {
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

std::string_view TrimJsWhitespace(std::string_view text, bool left,
                                  bool right) {
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
      while (start > 0 &&
             (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
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
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t c = DecodeUtf8(text, &pos);
    if (c == 0x130) {  // İ lower-cases to i followed by a combining dot.
      out.push_back('i');
      AppendUtf8(0x307, &out);
    } else {
      AppendUtf8(LowerCodePoint(c), &out);
    }
  }
  return out;
}

std::string JsToUpper(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t c = DecodeUtf8(text, &pos);
    if (c == 0xDF) {  // ß upper-cases to SS.
      out.append("SS");
    } else if (c == 0x149) {  // ŉ upper-cases to ʼN.
      AppendUtf8(0x2BC, &out);
      out.push_back('N');
    } else {
      AppendUtf8(UpperCodePoint(c), &out);
    }
  }
  return out;
}

}  // namespace bulwark::jsone
