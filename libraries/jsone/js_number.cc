#include "libraries/jsone/js_number.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <system_error>

#include "libraries/jsone/unicode.h"

namespace bulwark::jsone {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses the digits of a 0x / 0o / 0b literal; NaN if any character is not a
// digit of `base`.
double ParseRadixInteger(std::string_view digits, int base) {
  if (digits.empty()) return std::numeric_limits<double>::quiet_NaN();
  double result = 0;
  for (char c : digits) {
    int digit;
    if (IsDigit(c)) {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::numeric_limits<double>::quiet_NaN();
    }
    if (digit >= base) return std::numeric_limits<double>::quiet_NaN();
    result = result * base + digit;
  }
  return result;
}

// True when `text` is a StrUnsignedDecimalLiteral without "Infinity":
// (digits [. digits?] | . digits) ([eE] [+-]? digits)?
bool IsUnsignedDecimal(std::string_view text) {
  size_t i = 0;
  size_t int_digits = 0;
  while (i < text.size() && IsDigit(text[i])) ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < text.size() && IsDigit(text[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == text.size();
}

}  // namespace

bool IsJsInteger(double value) { return std::isfinite(value) && std::trunc(value) == value; }

void AppendJsNumber(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (value == 0) {  // Both zeros print as "0".
    out->push_back('0');
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "Infinity" : "-Infinity");
    return;
  }
  // Integers below 2^53 print as plain digits; this is the common case.
  if (std::fabs(value) < 9007199254740992.0 && std::trunc(value) == value) {
    char buffer[24];
    auto end = std::to_chars(buffer, buffer + sizeof buffer, static_cast<int64_t>(value)).ptr;
    out->append(buffer, end);
    return;
  }
  if (value < 0) {
    out->push_back('-');
    value = -value;
  }
  // Shortest round-trip digits, as d.ddde±x.
  char buffer[40];
  auto end =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific).ptr;
  std::string_view scientific(buffer, end - buffer);
  size_t e_pos = scientific.find('e');
  std::string digits;
  digits.push_back(scientific[0]);
  if (e_pos > 1) digits.append(scientific.substr(2, e_pos - 2));
  int exponent = 0;
  std::from_chars(scientific.data() + e_pos + 1 + (scientific[e_pos + 1] == '+' ? 1 : 0),
                  scientific.data() + scientific.size(), exponent);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // Position of the decimal point.
  if (k <= n && n <= 21) {
    out->append(digits);
    out->append(n - k, '0');
  } else if (0 < n && n <= 21) {
    out->append(digits, 0, n);
    out->push_back('.');
    out->append(digits, n, std::string::npos);
  } else if (-6 < n && n <= 0) {
    out->append("0.");
    out->append(-n, '0');
    out->append(digits);
  } else {
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    out->push_back(n - 1 < 0 ? '-' : '+');
    out->append(std::to_string(std::abs(n - 1)));
  }
}

std::string FormatJsNumber(double value) {
  std::string out;
  AppendJsNumber(value, &out);
  return out;
}

double ParseJsNumber(std::string_view text) {
  text = TrimJsWhitespace(text, /*left=*/true, /*right=*/true);
  if (text.empty()) return 0;
  if (text.size() > 2 && text[0] == '0') {
    switch (text[1]) {
      case 'x':
      case 'X':
        return ParseRadixInteger(text.substr(2), 16);
      case 'o':
      case 'O':
        return ParseRadixInteger(text.substr(2), 8);
      case 'b':
      case 'B':
        return ParseRadixInteger(text.substr(2), 2);
    }
  }
  double sign = 1;
  if (text[0] == '+' || text[0] == '-') {
    sign = text[0] == '-' ? -1 : 1;
    text.remove_prefix(1);
  }
  if (text == "Infinity") return sign * std::numeric_limits<double>::infinity();
  if (!IsUnsignedDecimal(text)) return std::numeric_limits<double>::quiet_NaN();
  double value = 0;
  auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec == std::errc::result_out_of_range) {
    // from_chars leaves overflow and underflow unset; strtod gives JS's
    // Infinity or 0.
    value = std::strtod(std::string(text).c_str(), nullptr);
  }
  return sign * value;
}

}  // namespace bulwark::jsone
