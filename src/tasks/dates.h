// Dates of seed 003: human-readable dates in nine formats -> "DD-MM-YYYY". For 30 July 2021:
//   0 "7 30 21"                1 "July 30, 2021"     2 "Jul 30, 2021"
//   3 "Friday, July 30, 2021"  4 "30 Jul 2021"       5 "30 July 2021"
//   6 "30 07 2021"             7 "Fri 30 Jul 2021"   8 "Friday 30 July 2021"
// Dates are proleptic Gregorian; the task draws them uniformly from 2000-01-01 to 2024-01-01.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tasks/task.h"

namespace attnscope {

constexpr int kDateFormats = 9;

bool is_valid_date(int y, int m, int d);
int64_t days_from_civil(int y, int m, int d);  // days since 1970-01-01 (negative before)
void civil_from_days(int64_t days, int& y, int& m, int& d);
int day_of_week(int y, int m, int d);  // 0 = Monday ... 6 = Sunday

std::string month_name(int m);       // 1..12 -> "January" ...
std::string weekday_name(int wday);  // 0..6 -> "Monday" ...

// Clean text of one format (index 0..8, as listed above); names in Title case. Format 0 writes
// the year as two digits, so it only identifies dates within one century. Throws
// std::invalid_argument for an invalid date or format index.
std::string format_date(int y, int m, int d, int format_index);
std::string machine_date(int y, int m, int d);  // "DD-MM-YYYY", the task's answer

// Training noise (never touches digits): with probability 0.3 one typo in a weekday or month name
// (a dropped, doubled or two swapped adjacent letters), and with probability 0.1 one dropped
// comma. Both together give the seed's "Thrusday, October 13 2011". A typo is only kept if no
// other name has the same one-typo spelling, so "Ma" (Mar or May?) never appears.
std::string add_date_noise(const std::string& text, Rng& rng);

std::unique_ptr<Task> make_dates_task();

}  // namespace attnscope
