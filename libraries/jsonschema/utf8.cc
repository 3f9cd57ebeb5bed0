#include "libraries/jsonschema/utf8.h"

#include <cstdint>

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

static_assert(sizeof(wchar_t) == 4, "DecodeUtf8 needs a 32-bit wchar_t");

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point starting at text[*pos] and advances *pos past it.
char32_t NextCodePoint(absl::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(*pos);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  size_t extra;
  char32_t value;
  char32_t min;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1, value = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, value = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, value = lead & 0x07, min = 0x10000;
  } else {
    ++*pos;
    return kReplacement;
  }
  if (*pos + extra >= text.size()) {
    ++*pos;
    return kReplacement;
  }
  for (size_t i = 1; i <= extra; ++i) {
    const uint8_t b = byte(*pos + i);
    if ((b & 0xC0) != 0x80) {
      ++*pos;
      return kReplacement;
    }
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    ++*pos;
    return kReplacement;
  }
  *pos += extra + 1;
  return value;
}

}  // namespace

size_t CodePointCount(absl::string_view text) {
  size_t count = 0;
  for (size_t pos = 0; pos < text.size();) {
    if (static_cast<uint8_t>(text[pos]) < 0x80) {
      ++pos;
    } else {
      NextCodePoint(text, &pos);
    }
    ++count;
  }
  return count;
}

std::wstring DecodeUtf8(absl::string_view text) {
  std::wstring out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    out.push_back(static_cast<wchar_t>(NextCodePoint(text, &pos)));
  }
  return out;
}

bool IsAscii(absl::string_view text) {
  for (char c : text) {
    if (static_cast<uint8_t>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
