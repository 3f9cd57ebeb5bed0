#include "libraries/cron/cron_parser.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "libraries/cron/cron_spec.h"
#include "libraries/status/status_macros.h"

namespace bulwark::cron::internal {
namespace {

constexpr size_t kMaxQuotedLength = 120;
constexpr absl::string_view kWhitespace = " \t\n\r\f\v";
constexpr absl::string_view kHashedProblem =
    "`H` (hashed) values are not supported: they make the schedule "
    "nondeterministic";
constexpr absl::string_view kNearestWeekdayProblem = "`W` (nearest weekday) is not supported";
constexpr absl::string_view kFieldsExpected =
    "expected 5 fields (minute hour day-of-month month day-of-week) or 6 "
    "(seconds first)";

struct Nickname {
  absl::string_view name;
  absl::string_view expansion;
};

// cron-parser's PredefinedExpressions, matched as exactly as it does.
constexpr Nickname kNicknames[] = {
    {"@yearly", "0 0 0 1 1 *"},     {"@annually", "0 0 0 1 1 *"}, {"@monthly", "0 0 0 1 * *"},
    {"@weekly", "0 0 0 * * 0"},     {"@daily", "0 0 0 * * *"},    {"@hourly", "0 0 * * * *"},
    {"@minutely", "0 * * * * *"},   {"@secondly", "* * * * * *"}, {"@weekdays", "0 0 0 * * 1-5"},
    {"@weekends", "0 0 0 * * 0,6"},
};

constexpr absl::string_view kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                             "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr absl::string_view kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

enum class Field { kSecond, kMinute, kHour, kDayOfMonth, kMonth, kDayOfWeek };

struct FieldInfo {
  Field field;
  absl::string_view name;
  int min;
  int max;
};

constexpr FieldInfo kFields[] = {
    {Field::kSecond, "second", 0, 59}, {Field::kMinute, "minute", 0, 59},
    {Field::kHour, "hour", 0, 23},     {Field::kDayOfMonth, "day-of-month", 1, 31},
    {Field::kMonth, "month", 1, 12},   {Field::kDayOfWeek, "day-of-week", 0, 7},
};

std::string Quote(absl::string_view pattern) {
  std::string quoted = absl::CHexEscape(pattern);
  if (quoted.size() > kMaxQuotedLength) {
    quoted.resize(kMaxQuotedLength - 3);
    quoted += "...";
  }
  return quoted;
}

absl::Status Error(absl::string_view pattern, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(problem, " in `", Quote(pattern), "`"));
}

enum class Kind { kNumber, kWord, kStar, kQuestion, kDash, kSlash, kComma, kHash, kEnd };

struct Token {
  Kind kind;
  absl::string_view text;
};

// One field, parsed.
struct ParsedField {
  uint64_t bits = 0;          // values; day of week folded to 0-6
  bool last_day = false;      // `L` (day of month)
  uint8_t last_weekdays = 0;  // `wL` (day of week), bit w % 7
  int nth_week = 0;           // `w#n` (day of week)
};

// Parses one field the way cron-parser does, on a stricter grammar:
//   field := item (',' item)* | base '#' n     (`#`: day of week only)
//   item  := ('*' | '?') ['/' step]
//          | value ['-' value] ['/' step]      (`v/s` means `v-max/s`)
//          | 'L'                               (day of month only)
//          | weekday 'L'                       (day of week only)
// Values are numbers or, in the month and day-of-week fields, three-letter
// names.
class FieldParser {
 public:
  FieldParser(const FieldInfo& info, absl::string_view text, absl::string_view pattern)
      : info_(info), text_(text), pattern_(pattern) {}

  absl::StatusOr<ParsedField> Parse() {
    BULWARK_RETURN_IF_ERROR(Tokenize());
    bool has_hash = false;
    for (const Token& token : tokens_) has_hash |= token.kind == Kind::kHash;
    if (has_hash) {
      BULWARK_RETURN_IF_ERROR(ParseNth());
    } else {
      do {
        BULWARK_RETURN_IF_ERROR(ParseItem());
      } while (Accept(Kind::kComma));
      if (Peek().kind != Kind::kEnd) return Unexpected();
    }
    BULWARK_RETURN_IF_ERROR(CheckDuplicates());
    return result_;
  }

 private:
  bool IsDayOfWeek() const { return info_.field == Field::kDayOfWeek; }
  bool IsDayOfMonth() const { return info_.field == Field::kDayOfMonth; }

  absl::Status Fail(absl::string_view detail) const {
    return Error(pattern_, absl::StrCat(info_.name, " field `", text_, "`: ", detail));
  }

  absl::Status Unexpected() const {
    if (Peek().kind == Kind::kWord) return WordError(Peek().text);
    return Fail(absl::StrCat("unexpected `", Peek().text, "`"));
  }

  absl::Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      size_t end = i + 1;
      Kind kind;
      if (absl::ascii_isdigit(c)) {
        while (end < text_.size() && absl::ascii_isdigit(text_[end])) ++end;
        kind = Kind::kNumber;
      } else if (absl::ascii_isalpha(c)) {
        while (end < text_.size() && absl::ascii_isalpha(text_[end])) ++end;
        kind = Kind::kWord;
        if (text_.substr(i, end - i) == "H") return Error(pattern_, kHashedProblem);
      } else if (c == '*') {
        kind = Kind::kStar;
      } else if (c == '?') {
        kind = Kind::kQuestion;
      } else if (c == '-') {
        kind = Kind::kDash;
      } else if (c == '/') {
        kind = Kind::kSlash;
      } else if (c == ',') {
        kind = Kind::kComma;
      } else if (c == '#') {
        kind = Kind::kHash;
      } else {
        return Fail(
            absl::StrCat("unexpected character `", absl::CHexEscape(text_.substr(i, 1)), "`"));
      }
      tokens_.push_back(Token{kind, text_.substr(i, end - i)});
      i = end;
    }
    tokens_.push_back(Token{Kind::kEnd, "end of field"});
    return absl::OkStatus();
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }
  bool Accept(Kind kind) {
    if (Peek().kind != kind) return false;
    ++pos_;
    return true;
  }
  bool PeekIsL() const { return Peek().kind == Kind::kWord && Peek().text == "L"; }

  // A number's value, saturated well above every field's range.
  static int NumberValue(absl::string_view digits) {
    int value = 0;
    for (const char c : digits) {
      value = value * 10 + (c - '0');
      if (value > 1000000) return 1000000;
    }
    return value;
  }

  // The value of a name in this field, if it is one.
  std::optional<int> NameValue(absl::string_view word) const {
    const std::string lower = absl::AsciiStrToLower(word);
    if (info_.field == Field::kMonth) {
      for (int i = 0; i < 12; ++i) {
        if (lower == kMonthNames[i]) return i + 1;
      }
    } else if (IsDayOfWeek()) {
      for (int i = 0; i < 7; ++i) {
        if (lower == kDayNames[i]) return i;
      }
    }
    return std::nullopt;
  }

  absl::Status WordError(absl::string_view word) const {
    if (word == "L") {
      return Fail(
          "`L` is only allowed alone in the day-of-month field or after a "
          "weekday in the day-of-week field");
    }
    if (absl::StrContains(word, 'W')) {
      return Error(pattern_, kNearestWeekdayProblem);
    }
    if (info_.field == Field::kMonth) {
      return Fail(absl::StrCat("`", word, "` is not a month name (JAN-DEC)"));
    }
    if (IsDayOfWeek()) {
      return Fail(absl::StrCat("`", word, "` is not a day name (SUN-SAT)"));
    }
    return Fail(absl::StrCat("`", word,
                             "`: names are only allowed in the month and "
                             "day-of-week fields"));
  }

  // A number or a name, not yet range-checked.
  absl::StatusOr<int> ParseValue() {
    const Token& token = Peek();
    if (token.kind == Kind::kNumber) {
      ++pos_;
      return NumberValue(token.text);
    }
    if (token.kind == Kind::kWord) {
      if (std::optional<int> value = NameValue(token.text)) {
        ++pos_;
        return *value;
      }
      // A leading `L` is handled by ParseItem, so here it ends a range.
      if (token.text == "L" && (IsDayOfMonth() || IsDayOfWeek())) {
        return Fail("`L` cannot be part of a range or step");
      }
      return WordError(token.text);
    }
    if (token.kind == Kind::kStar || token.kind == Kind::kQuestion) {
      return Fail(absl::StrCat("`", token.text, "` cannot be part of a range"));
    }
    if (token.kind == Kind::kEnd || token.kind == Kind::kComma) {
      return Fail("a value is missing");
    }
    return Unexpected();
  }

  absl::StatusOr<int> ParseStep() {
    if (Peek().kind != Kind::kNumber) {
      return Fail("a step must be a positive number, e.g. `*/5`");
    }
    const int step = NumberValue(Next().text);
    if (step == 0) return Fail("a step must be at least 1");
    return step;
  }

  absl::Status CheckInRange(int value) const {
    if (value < info_.min || value > info_.max) {
      return Fail(absl::StrCat(value, " is out of range ", info_.min, "-", info_.max));
    }
    return absl::OkStatus();
  }

  void Count(int value) {
    ++counts_[value];
    result_.bits |= uint64_t{1} << (IsDayOfWeek() ? value % 7 : value);
  }

  void AddSingle(int value) { Count(IsDayOfWeek() ? value % 7 : value); }

  // cron-parser's createRange: in the day-of-week field a range ending at 0 or
  // 7 also lists 0 (Sunday) first, even when the step skips its end.
  void AddRange(int low, int high, int step) {
    const bool sunday_first = IsDayOfWeek() && high % 7 == 0;
    if (sunday_first) Count(0);
    for (int value = low; value <= high; value += step) {
      if (sunday_first && value == 0) continue;
      Count(value);
    }
  }

  absl::Status AddLastWeekday(absl::string_view weekday_text, int weekday) {
    if (weekday > 7) {
      return Fail(absl::StrCat("`", weekday_text,
                               "L`: the weekday before `L` must be 0-7 or a "
                               "day name"));
    }
    if (Peek().kind == Kind::kDash || Peek().kind == Kind::kSlash) {
      return Fail(absl::StrCat("`", weekday_text, "L` cannot be part of a range or step"));
    }
    ++last_weekday_counts_[weekday];
    result_.last_weekdays |= uint8_t{1} << (weekday % 7);
    return absl::OkStatus();
  }

  absl::Status ParseItem() {
    const Token& token = Peek();
    switch (token.kind) {
      case Kind::kStar:
      case Kind::kQuestion: {
        ++pos_;
        if (Peek().kind == Kind::kDash) {
          return Fail(absl::StrCat("`", token.text, "` cannot be part of a range"));
        }
        int step = 1;
        if (Accept(Kind::kSlash)) {
          BULWARK_ASSIGN_OR_RETURN(step, ParseStep());
        }
        AddRange(info_.min, info_.max, step);
        return absl::OkStatus();
      }
      case Kind::kEnd:
      case Kind::kComma:
        return Fail("a list item is empty");
      case Kind::kSlash:
        return Fail("a step needs something to step through, e.g. `*/5`");
      case Kind::kWord:
        if (token.text == "L" && IsDayOfMonth()) {
          ++pos_;
          if (Peek().kind == Kind::kDash || Peek().kind == Kind::kSlash) {
            return Fail("`L` cannot be part of a range or step");
          }
          ++last_day_count_;
          result_.last_day = true;
          return absl::OkStatus();
        }
        if (token.text == "L" && IsDayOfWeek()) {
          return Fail(
              "`L` needs a weekday before it, e.g. `5L` for the last Friday "
              "of the month");
        }
        // `FRIL`: a day name and `L` in one word.
        if (IsDayOfWeek() && token.text.size() == 4 && token.text[3] == 'L') {
          if (std::optional<int> weekday = NameValue(token.text.substr(0, 3))) {
            ++pos_;
            return AddLastWeekday(token.text.substr(0, 3), *weekday);
          }
        }
        break;
      default:
        break;
    }

    const Token& first = Peek();
    BULWARK_ASSIGN_OR_RETURN(const int low, ParseValue());
    if (PeekIsL()) {
      if (IsDayOfMonth()) {
        return Fail(absl::StrCat("`", first.text,
                                 "L` is not supported: write `L` for the last "
                                 "day of the month"));
      }
      if (!IsDayOfWeek()) return WordError("L");
      ++pos_;
      const int weekday = first.text.size() == 1 ? low : 8;
      return AddLastWeekday(first.text, weekday);
    }
    if (Accept(Kind::kDash)) {
      BULWARK_ASSIGN_OR_RETURN(const int high, ParseValue());
      if (PeekIsL()) return Fail("`L` cannot be part of a range or step");
      if (Peek().kind == Kind::kDash) {
        return Fail("a range has two ends, e.g. `1-5`");
      }
      int step = 1;
      if (Accept(Kind::kSlash)) {
        BULWARK_ASSIGN_OR_RETURN(step, ParseStep());
      }
      BULWARK_RETURN_IF_ERROR(CheckInRange(low));
      BULWARK_RETURN_IF_ERROR(CheckInRange(high));
      if (low > high) {
        return Fail(
            absl::StrCat("the range ", low, "-", high, " is reversed (cron ranges do not wrap)"));
      }
      AddRange(low, high, step);
      return absl::OkStatus();
    }
    if (Accept(Kind::kSlash)) {
      BULWARK_ASSIGN_OR_RETURN(const int step, ParseStep());
      BULWARK_RETURN_IF_ERROR(CheckInRange(low));
      AddRange(low, info_.max, step);
      return absl::OkStatus();
    }
    BULWARK_RETURN_IF_ERROR(CheckInRange(low));
    AddSingle(low);
    return absl::OkStatus();
  }

  // `base#n`: the n-th `base` weekday of the month (`base` may be `*` or `?`:
  // any day).
  absl::Status ParseNth() {
    if (!IsDayOfWeek()) {
      return Fail("`#` is only allowed in the day-of-week field");
    }
    for (const Token& token : tokens_) {
      if (token.kind == Kind::kComma || token.kind == Kind::kDash || token.kind == Kind::kSlash) {
        return Fail("`#` cannot be combined with lists, ranges or steps");
      }
      if (token.kind == Kind::kWord && absl::EndsWith(token.text, "L")) {
        return Fail("`#` cannot be combined with `L`");
      }
    }
    const Token& base = Peek();
    if (base.kind == Kind::kHash) {
      return Fail(
          "`#` needs a weekday before it, e.g. `5#2` for the second "
          "Friday of the month");
    }
    if (base.kind == Kind::kStar || base.kind == Kind::kQuestion) {
      ++pos_;
      AddRange(info_.min, info_.max, 1);
    } else {
      BULWARK_ASSIGN_OR_RETURN(const int weekday, ParseValue());
      BULWARK_RETURN_IF_ERROR(CheckInRange(weekday));
      AddSingle(weekday);
    }
    if (!Accept(Kind::kHash)) return Unexpected();
    const int nth = Peek().kind == Kind::kNumber ? NumberValue(Next().text) : 0;
    if (nth < 1 || nth > 5 || Peek().kind != Kind::kEnd) {
      return Fail(
          "`#` must be followed by an occurrence 1-5, e.g. `5#2` for "
          "the second Friday of the month");
    }
    result_.nth_week = nth;
    return absl::OkStatus();
  }

  // cron-parser rejects a field that lists a value twice, except (by accident
  // of its check) when 0 is the smallest repeated value. We tolerate repeated
  // 0s too (`0,0`, and Sunday as both 0 and 7) but reject any other repeat.
  absl::Status CheckDuplicates() const {
    for (int value = 1; value <= info_.max; ++value) {
      if (counts_[value] > 1) {
        return Fail(absl::StrCat(value, " is listed more than once"));
      }
    }
    if (last_day_count_ > 1) return Fail("`L` is listed more than once");
    for (int weekday = 0; weekday <= 7; ++weekday) {
      if (last_weekday_counts_[weekday] > 1) {
        return Fail(absl::StrCat(weekday, "L is listed more than once"));
      }
    }
    return absl::OkStatus();
  }

  const FieldInfo& info_;
  const absl::string_view text_;
  const absl::string_view pattern_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  ParsedField result_;
  int counts_[60] = {};
  int last_day_count_ = 0;
  int last_weekday_counts_[8] = {};
};

bool IsWildcard(absl::string_view field) { return field == "*" || field == "?"; }

}  // namespace

absl::StatusOr<CronSpec> ParseCronSpec(absl::string_view pattern) {
  absl::string_view text = pattern;
  for (const Nickname& nickname : kNicknames) {
    if (pattern == nickname.name) text = nickname.expansion;
  }
  std::vector<absl::string_view> fields =
      absl::StrSplit(text, absl::ByAnyChar(kWhitespace), absl::SkipEmpty());
  if (fields.empty()) return Error(pattern, "the pattern is empty");
  if (fields.size() == 1 && absl::StartsWith(fields[0], "@")) {
    return Error(pattern, absl::StrCat("`", fields[0],
                                       "` is not a supported nickname (use one of "
                                       "@yearly, @annually, @monthly, @weekly, @daily, "
                                       "@hourly, @minutely, @secondly, @weekdays, "
                                       "@weekends, exactly as written)"));
  }
  if (fields.size() == 7) {
    return Error(pattern, absl::StrCat("7 fields are not supported (there is "
                                       "no year field): ",
                                       kFieldsExpected));
  }
  if (fields.size() < 5 || fields.size() > 6) {
    return Error(pattern, absl::StrCat(fields.size(), " fields: ", kFieldsExpected));
  }
  if (fields.size() == 5) fields.insert(fields.begin(), "0");

  ParsedField parsed[6];
  for (int i = 0; i < 6; ++i) {
    BULWARK_ASSIGN_OR_RETURN(parsed[i], FieldParser(kFields[i], fields[i], pattern).Parse());
  }
  CronSpec spec;
  spec.seconds = parsed[0].bits;
  spec.minutes = parsed[1].bits;
  spec.hours = static_cast<uint32_t>(parsed[2].bits);
  spec.days_of_month = static_cast<uint32_t>(parsed[3].bits);
  spec.last_day_of_month = parsed[3].last_day;
  spec.months = static_cast<uint16_t>(parsed[4].bits);
  spec.days_of_week = static_cast<uint8_t>(parsed[5].bits);
  spec.last_days_of_week = parsed[5].last_weekdays;
  spec.nth_week = parsed[5].nth_week;
  spec.day_of_month_wildcard = IsWildcard(fields[3]);
  spec.day_of_week_wildcard = IsWildcard(fields[5]);
  if (!spec.CanEverMatch()) {
    return Error(pattern,
                 "the pattern never fires: no date matches its day-of-month, "
                 "month and day-of-week fields together");
  }
  return spec;
}

}  // namespace bulwark::cron::internal
