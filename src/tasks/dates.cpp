#include "tasks/dates.h"

#include <array>
#include <stdexcept>

namespace attnscope {

namespace {

const std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",
                                             "May",     "June",     "July",      "August",
                                             "September", "October", "November", "December"};
const std::array<const char*, 7> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"};

std::string abbreviation(const std::string& name) { return name.substr(0, 3); }

// n in 0..99, zero-padded.
std::string two_digits(int n) {
  return {static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)};
}

}  // namespace

bool is_valid_date(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// Howard Hinnant's days_from_civil: counts in 400-year eras of 146097 days, with years starting
// in March so the leap day falls at the end.
int64_t days_from_civil(int y, int m, int d) {
  const int64_t yy = y - (m <= 2 ? 1 : 0);
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const int64_t yoe = yy - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;             // [0, 146096]
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t days, int& y, int& m, int& d) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

int day_of_week(int y, int m, int d) {
  const int64_t days = days_from_civil(y, m, d);
  return static_cast<int>(((days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday (3)
}

std::string month_name(int m) {
  if (m < 1 || m > 12) throw std::invalid_argument("month must be 1..12, got " + std::to_string(m));
  return kMonths[m - 1];
}

std::string weekday_name(int wday) {
  if (wday < 0 || wday > 6)
    throw std::invalid_argument("weekday must be 0..6, got " + std::to_string(wday));
  return kWeekdays[wday];
}

std::string format_date(int y, int m, int d, int format_index) {
  if (!is_valid_date(y, m, d))
    throw std::invalid_argument("invalid date " + std::to_string(y) + "-" + std::to_string(m) +
                                "-" + std::to_string(d));
  const std::string month = month_name(m), mon = abbreviation(month);
  const std::string weekday = weekday_name(day_of_week(y, m, d)), wd = abbreviation(weekday);
  const std::string day = std::to_string(d), year = std::to_string(y);
  switch (format_index) {
    case 0: return std::to_string(m) + " " + day + " " + two_digits(((y % 100) + 100) % 100);
    case 1: return month + " " + day + ", " + year;
    case 2: return mon + " " + day + ", " + year;
    case 3: return weekday + ", " + month + " " + day + ", " + year;
    case 4: return day + " " + mon + " " + year;
    case 5: return day + " " + month + " " + year;
    case 6: return two_digits(d) + " " + two_digits(m) + " " + year;
    case 7: return wd + " " + day + " " + mon + " " + year;
    case 8: return weekday + " " + day + " " + month + " " + year;
  }
  throw std::invalid_argument("date format index must be 0.." + std::to_string(kDateFormats - 1) +
                              ", got " + std::to_string(format_index));
}

std::string machine_date(int y, int m, int d) {
  if (!is_valid_date(y, m, d))
    throw std::invalid_argument("invalid date " + std::to_string(y) + "-" + std::to_string(m) +
                                "-" + std::to_string(d));
  return two_digits(d) + "-" + two_digits(m) + "-" + std::to_string(y);
}

}  // namespace attnscope
