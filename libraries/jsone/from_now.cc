#include "libraries/jsone/from_now.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "libraries/jsone/error.h"
#include "libraries/jsone/js_number.h"
#include "libraries/jsone/json_text.h"
#include "libraries/jsone/str_cat.h"
#include "libraries/jsone/unicode.h"

namespace bulwark::jsone {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMsPerDay = 86400000.0;

// --- Offsets ---

// The unit slots in the order an offset must use them, each with its spellings
// in the order the reference's regular expression tries them.
struct UnitSlot {
  std::array<std::string_view, 4> spellings;
};
constexpr std::array<UnitSlot, 7> kSlots = {{
    {{"y", "year", "years", "yr"}},
    {{"months", "month", "mo", ""}},
    {{"weeks", "week", "wk", "w"}},
    {{"days", "day", "d", ""}},
    {{"hours", "hour", "hr", "h"}},
    {{"minutes", "minute", "min", "m"}},
    {{"seconds", "second", "sec", "s"}},
}};

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size()) {
    size_t next = pos;
    if (!IsJsWhitespace(DecodeUtf8(text, &next))) break;
    pos = next;
  }
  return pos;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

bool MatchesIgnoringCase(std::string_view text, size_t pos, std::string_view word) {
  if (word.empty() || text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(text[pos + i]) != word[i]) return false;
  }
  return true;
}

// Matches slots [slot, 7) and the trailing whitespace against text[pos..],
// trying each slot before skipping it and each spelling in order, as a
// backtracking regular expression would.
bool MatchSlots(std::string_view text, size_t pos, size_t slot, std::array<double, 7>* values) {
  if (slot == kSlots.size()) return SkipSpace(text, pos) == text.size();
  size_t digits_start = SkipSpace(text, pos);
  size_t digits_end = digits_start;
  while (digits_end < text.size() && IsDigit(text[digits_end])) ++digits_end;
  if (digits_end > digits_start) {
    const size_t unit_start = SkipSpace(text, digits_end);
    for (std::string_view spelling : kSlots[slot].spellings) {
      if (!MatchesIgnoringCase(text, unit_start, spelling)) continue;
      if (MatchSlots(text, unit_start + spelling.size(), slot + 1, values)) {
        (*values)[slot] = ParseJsNumber(text.substr(digits_start, digits_end - digits_start));
        return true;
      }
    }
  }
  (*values)[slot] = 0;
  return MatchSlots(text, pos, slot + 1, values);
}

// --- Dates ---

// Days from 1970-01-01 to the given proleptic Gregorian date (month 1-12; day
// may overflow).
double DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<double>(era * 146097 + day_of_era - 719468);
}

void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  *day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = year_of_era + era * 400 + (*month <= 2);
}

double TimeClip(double ms) {
  if (!std::isfinite(ms) || std::fabs(ms) > 8.64e15) return kNaN;
  return std::trunc(ms) + 0.0;
}

// Reads exactly `count` digits at *pos.
bool ReadDigits(std::string_view text, size_t* pos, int count, int64_t* out) {
  int64_t value = 0;
  for (int i = 0; i < count; ++i) {
    if (*pos >= text.size() || !IsDigit(text[*pos])) return false;
    value = value * 10 + (text[(*pos)++] - '0');
  }
  *out = value;
  return true;
}

bool Consume(std::string_view text, size_t* pos, char c) {
  if (*pos < text.size() && text[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

// Parses "HH:MM[:SS[.fff]]" and the zone; adds the time of day in ms to *ms.
bool ParseTimeOfDay(std::string_view text, size_t* pos, double* ms) {
  int64_t hour, minute, second = 0;
  double fraction_ms = 0;
  if (!ReadDigits(text, pos, 2, &hour) || !Consume(text, pos, ':') ||
      !ReadDigits(text, pos, 2, &minute)) {
    return false;
  }
  if (Consume(text, pos, ':')) {
    if (!ReadDigits(text, pos, 2, &second)) return false;
    if (Consume(text, pos, '.')) {
      const size_t start = *pos;
      double scale = 100;
      while (*pos < text.size() && IsDigit(text[*pos])) {
        fraction_ms += (text[(*pos)++] - '0') * scale;
        scale /= 10;
      }
      if (*pos == start) return false;
      fraction_ms = std::trunc(fraction_ms + 1e-9);
    }
  }
  if (hour > 24 || minute > 59 || second > 59) return false;
  if (hour == 24 && (minute != 0 || second != 0 || fraction_ms != 0)) {
    return false;
  }
  double offset_ms = 0;
  if (*pos < text.size() && (text[*pos] == 'Z' || text[*pos] == 'z')) {
    ++*pos;
  } else if (*pos < text.size() && (text[*pos] == '+' || text[*pos] == '-')) {
    const double sign = text[(*pos)++] == '-' ? -1 : 1;
    int64_t zone_hour, zone_minute;
    if (!ReadDigits(text, pos, 2, &zone_hour)) return false;
    Consume(text, pos, ':');
    if (!ReadDigits(text, pos, 2, &zone_minute)) return false;
    if (zone_hour > 23 || zone_minute > 59) return false;
    offset_ms = sign * (zone_hour * 3600000.0 + zone_minute * 60000.0);
  }
  *ms += hour * 3600000.0 + minute * 60000.0 + second * 1000.0 + fraction_ms - offset_ms;
  return true;
}

}  // namespace

double ParseDateMs(std::string_view text) {
  size_t pos = 0;
  int64_t year, month = 1, day = 1;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    const bool negative = text[0] == '-';
    pos = 1;
    if (!ReadDigits(text, &pos, 6, &year)) return kNaN;
    if (negative) {
      if (year == 0) return kNaN;
      year = -year;
    }
  } else if (!ReadDigits(text, &pos, 4, &year)) {
    return kNaN;
  }
  if (Consume(text, &pos, '-')) {
    if (!ReadDigits(text, &pos, 2, &month)) return kNaN;
    if (Consume(text, &pos, '-') && !ReadDigits(text, &pos, 2, &day)) {
      return kNaN;
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return kNaN;
  double ms = DaysFromCivil(year, month, day) * kMsPerDay;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    if (!ParseTimeOfDay(text, &pos, &ms)) return kNaN;
  }
  if (pos != text.size()) return kNaN;
  return TimeClip(ms);
}

std::optional<std::string> FormatDateMs(double ms) {
  ms = TimeClip(ms);
  if (std::isnan(ms)) return std::nullopt;
  const int64_t total = static_cast<int64_t>(ms);
  int64_t days = total / 86400000;
  int64_t in_day = total % 86400000;
  if (in_day < 0) {
    in_day += 86400000;
    --days;
  }
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  const int hour = static_cast<int>(in_day / 3600000);
  const int minute = static_cast<int>(in_day / 60000 % 60);
  const int second = static_cast<int>(in_day / 1000 % 60);
  const int millis = static_cast<int>(in_day % 1000);
  // YYYY-MM-DDTHH:MM:SS.mmmZ; years outside 0-9999 as +YYYYYY / -YYYYYY.
  std::string out;
  out.reserve(27);
  const auto digits = [&out](int64_t value, int width) {
    char buffer[20];
    for (int i = width - 1; i >= 0; --i) {
      buffer[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    out.append(buffer, width);
  };
  if (year >= 0 && year <= 9999) {
    digits(year, 4);
  } else {
    out.push_back(year < 0 ? '-' : '+');
    digits(year < 0 ? -year : year, 6);
  }
  out.push_back('-');
  digits(month, 2);
  out.push_back('-');
  digits(day, 2);
  out.push_back('T');
  digits(hour, 2);
  out.push_back(':');
  digits(minute, 2);
  out.push_back(':');
  digits(second, 2);
  out.push_back('.');
  digits(millis, 3);
  out.push_back('Z');
  return out;
}

double ToDateMs(absl::Time t) { return static_cast<double>(absl::ToUnixMillis(t)); }

absl::StatusOr<Value> FromNow(std::string_view offset, const Value& reference, absl::Time now) {
  // An optional sign, then the unit slots.
  size_t pos = SkipSpace(offset, 0);
  double sign = 1;
  if (pos < offset.size() && (offset[pos] == '-' || offset[pos] == '+')) {
    sign = offset[pos] == '-' ? -1 : 1;
    ++pos;
  } else {
    pos = 0;
  }
  std::array<double, 7> v{};
  if (!MatchSlots(offset, pos, 0, &v)) {
    return MakeError(ErrorType::kError, Cat("String: '", offset, "' isn't a time expression"));
  }
  for (double& x : v) x *= sign;
  const double years = v[0], months = v[1], weeks = v[2];
  double days = v[3];
  const double hours = v[4], minutes = v[5], seconds = v[6];
  days += 30 * months;
  days += 365 * years;

  double base;
  if (!IsTruthy(reference)) {
    base = ToDateMs(now);
  } else if (reference.is_number()) {
    base = TimeClip(reference.number());
  } else if (reference.is_bool()) {
    base = 1;  // Only true reaches here.
  } else {
    base = ParseDateMs(JsString(reference));
  }
  // The same sum, in the same order, as the reference.
  const double ms = base + weeks * 7 * 24 * 60 * 60 * 1000 + days * 24 * 60 * 60 * 1000 +
                    hours * 60 * 60 * 1000 + minutes * 60 * 1000 + seconds * 1000;
  std::optional<std::string> text = FormatDateMs(ms);
  if (!text.has_value()) return Value::Null();
  return Value::String(*std::move(text));
}

}  // namespace bulwark::jsone
