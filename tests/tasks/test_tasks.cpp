#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "tasks/dates.h"
#include "tasks/letter_tasks.h"
#include "tasks/sort_task.h"
#include "tasks/task.h"

using namespace attnscope;

namespace {

const std::vector<std::string> kSpecs = {"reverse", "shift-left:4", "shift-right:3", "sort", "dates"};

std::string invalid_message(const std::string& spec, size_t min_len = 5, size_t max_len = 12) {
  try {
    make_task(spec, min_len, max_len);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument for '" << spec << "'";
  return "";
}

std::string strip_letters_and_commas(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != ',') out += c;
  return out;
}

// Zeller's congruence, an independent check of day_of_week (returns 0 = Monday).
int zeller(int y, int m, int d) {
  if (m < 3) m += 12, y -= 1;
  const int h = (d + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7;  // 0 = Saturday
  return (h + 5) % 7;
}

// "DD-MM-YYYY" -> y, m, d.
void parse_machine(const std::string& s, int& y, int& m, int& d) {
  ASSERT_EQ(s.size(), 10u) << s;
  ASSERT_EQ(s[2], '-') << s;
  ASSERT_EQ(s[5], '-') << s;
  d = std::stoi(s.substr(0, 2)), m = std::stoi(s.substr(3, 2)), y = std::stoi(s.substr(6));
}

}  // namespace

// --- spec parsing -----------------------------------------------------------------------------

TEST(TaskSpec, ParsesEverySpelling) {
  for (const std::string& spec : kSpecs) EXPECT_EQ(make_task(spec)->name(), spec);
  EXPECT_EQ(make_task("shift-left:04")->name(), "shift-left:4");
  EXPECT_EQ(make_task("shift-right:1", 2, 3)->name(), "shift-right:1");
  EXPECT_EQ(task_names(),
            (std::vector<std::string>{"reverse", "shift-left:K", "shift-right:K", "sort", "dates"}));
}

TEST(TaskSpec, UnknownSpecListsValidTasks) {
  for (const std::string spec : {"", "revers", "Reverse", "translate", "shift-leftx", "sort:3"}) {
    const std::string msg = invalid_message(spec);
    EXPECT_NE(msg.find("'" + spec + "'"), std::string::npos) << msg;
    for (const std::string& name : task_names()) EXPECT_NE(msg.find(name), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(TaskSpec, MalformedShiftIsRejected) {
  for (const std::string spec :
       {"shift-left", "shift-left:", "shift-left:x", "shift-left:0", "shift-left:-1", "shift-left:4x",
        "shift-right:+3", "shift-right: 3", "shift-right:3.0", "shift-left:99999999999999999999999"}) {
    const std::string msg = invalid_message(spec);
    EXPECT_NE(msg.find("'" + spec + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("positive integer"), std::string::npos) << msg;
  }
}

TEST(TaskSpec, ShiftMustBeSmallerThanMinLength) {
  const std::string msg = invalid_message("shift-left:5", 5, 12);
  EXPECT_NE(msg.find("shift-left:5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("minimum word length 5"), std::string::npos) << msg;
  EXPECT_FALSE(invalid_message("shift-right:9", 3, 12).empty());
  EXPECT_NO_THROW(make_task("shift-left:4", 5, 12));
  EXPECT_NO_THROW(make_task("shift-left:5", 6, 12));
}

TEST(TaskSpec, BadLengthsAreRejected) {
  EXPECT_NE(invalid_message("reverse", 0, 5).find("got min 0"), std::string::npos);
  EXPECT_NE(invalid_message("reverse", 8, 5).find("max 5"), std::string::npos);
}

// --- reverse and shifts -----------------------------------------------------------------------

TEST(LetterTasks, SeedExamples) {
  EXPECT_EQ(reverse_text("monojitcnn"), "nnctijonom");
  EXPECT_EQ(rotate_left("monojitcnn", 4), "jitcnnmono");
  EXPECT_EQ(rotate_right("monojitcnn", 3), "cnnmonojit");
  EXPECT_EQ(rotate_left("abc", 0), "abc");
  EXPECT_EQ(rotate_right("abc", 3), "abc");
  EXPECT_THROW(rotate_left("abc", 4), std::invalid_argument);
  for (const std::string spec : {"reverse", "shift-left:4", "shift-right:3"}) {
    const auto demos = make_task(spec)->demo_inputs();
    ASSERT_EQ(demos.size(), 2u);
    EXPECT_EQ(demos[0], "monojitcnn");
  }
}

TEST(LetterTasks, SamplesAreRandomWordsWithCorrectAnswers) {
  for (const std::string spec : {"reverse", "shift-left:4", "shift-right:3"}) {
    const auto task = make_task(spec, 5, 12);
    Rng rng(1);
    std::set<size_t> lengths;
    for (int i = 0; i < 3000; ++i) {
      const Example ex = task->sample(rng, i % 2 == 0);
      lengths.insert(ex.input.size());
      for (char c : ex.input) ASSERT_TRUE(c >= 'a' && c <= 'z') << ex.input;
      std::string expected = ex.input;
      if (spec == "reverse") std::reverse(expected.begin(), expected.end());
      if (spec == "shift-left:4") std::rotate(expected.begin(), expected.begin() + 4, expected.end());
      if (spec == "shift-right:3") std::rotate(expected.begin(), expected.end() - 3, expected.end());
      ASSERT_EQ(ex.output, expected) << spec << " of " << ex.input;
    }
    EXPECT_EQ(lengths, (std::set<size_t>{5, 6, 7, 8, 9, 10, 11, 12})) << spec;
  }
}

// --- sort -------------------------------------------------------------------------------------

TEST(SortTask, SortsBothForms) {
  EXPECT_EQ(sort_digits("1, 9, 4, 3, 8, 7, 5, 6"), "1, 3, 4, 5, 6, 7, 8, 9");
  EXPECT_EQ(sort_digits("1, 9, 4, 3"), "1, 3, 4, 9");
  EXPECT_EQ(sort_digits("1943"), "1349");
  EXPECT_EQ(sort_digits("5281700"), "0012578");
  EXPECT_EQ(make_task("sort")->demo_inputs(),
            (std::vector<std::string>{"1, 9, 4, 3, 8, 7, 5, 6", "52817"}));
}

TEST(SortTask, SamplesHaveBothFormsAndSortedAnswers) {
  const auto task = make_task("sort");
  Rng rng(2);
  int comma_form = 0;
  std::set<size_t> counts;
  for (int i = 0; i < 4000; ++i) {
    const Example ex = task->sample(rng, true);
    std::string digits;
    for (char c : ex.input)
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    counts.insert(digits.size());
    const bool commas = ex.input.find(',') != std::string::npos;
    comma_form += commas;
    std::string expected_input = digits, sorted = digits;
    std::sort(sorted.begin(), sorted.end());
    std::string expected_output = sorted;
    if (commas) {
      expected_input = expected_output = "";
      for (size_t j = 0; j < digits.size(); ++j) {
        expected_input += (j ? ", " : "") + std::string(1, digits[j]);
        expected_output += (j ? ", " : "") + std::string(1, sorted[j]);
      }
    }
    ASSERT_EQ(ex.input, expected_input);
    ASSERT_EQ(ex.output, expected_output) << ex.input;
  }
  EXPECT_EQ(counts, (std::set<size_t>{3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_GT(comma_form, 1700);
  EXPECT_LT(comma_form, 2300);
}

// --- dates: calendar and formats --------------------------------------------------------------

TEST(Dates, NineFormatsOfTheSeed) {
  const std::vector<std::string> expected = {
      "7 30 21",     "July 30, 2021", "Jul 30, 2021",    "Friday, July 30, 2021", "30 Jul 2021",
      "30 July 2021", "30 07 2021",   "Fri 30 Jul 2021", "Friday 30 July 2021"};
  ASSERT_EQ(static_cast<int>(expected.size()), kDateFormats);
  for (int f = 0; f < kDateFormats; ++f) EXPECT_EQ(format_date(2021, 7, 30, f), expected[f]) << f;
  EXPECT_EQ(machine_date(2021, 7, 30), "30-07-2021");
}

TEST(Dates, PaddingOnlyWhereTheFormatAsksForIt) {
  EXPECT_EQ(format_date(2005, 3, 8, 0), "3 8 05");
  EXPECT_EQ(format_date(2000, 1, 1, 0), "1 1 00");
  EXPECT_EQ(format_date(2005, 3, 8, 6), "08 03 2005");
  EXPECT_EQ(format_date(2005, 3, 8, 4), "8 Mar 2005");
  EXPECT_EQ(format_date(2005, 3, 28, 5), "28 March 2005");
  EXPECT_EQ(machine_date(2005, 3, 8), "08-03-2005");
}

TEST(Dates, WeekdaysOfKnownDates) {
  struct Known { int y, m, d; const char* weekday; };
  for (const Known& k : {Known{2000, 1, 1, "Saturday"}, Known{2024, 1, 1, "Monday"},
                         Known{2011, 10, 13, "Thursday"}, Known{2021, 7, 30, "Friday"},
                         Known{2005, 3, 28, "Monday"}, Known{2000, 2, 29, "Tuesday"},
                         Known{2016, 2, 29, "Monday"}, Known{1970, 1, 1, "Thursday"},
                         Known{1969, 7, 20, "Sunday"}, Known{2001, 9, 11, "Tuesday"}}) {
    EXPECT_EQ(weekday_name(day_of_week(k.y, k.m, k.d)), k.weekday) << k.y << "-" << k.m << "-" << k.d;
  }
  EXPECT_EQ(format_date(2000, 1, 1, 3), "Saturday, January 1, 2000");
  EXPECT_EQ(format_date(2024, 1, 1, 8), "Monday 1 January 2024");
  EXPECT_EQ(format_date(2011, 10, 13, 7), "Thu 13 Oct 2011");
}

TEST(Dates, CalendarAgreesWithZellerOverTheWholeRange) {
  int64_t expected_days = days_from_civil(1999, 12, 31);
  for (int y = 2000; y <= 2024; ++y)
    for (int m = 1; m <= 12; ++m)
      for (int d = 1; d <= 31; ++d) {
        if (!is_valid_date(y, m, d)) continue;
        ASSERT_EQ(day_of_week(y, m, d), zeller(y, m, d)) << y << "-" << m << "-" << d;
        const int64_t days = days_from_civil(y, m, d);
        ASSERT_EQ(days, ++expected_days);  // consecutive: no gaps, no repeats
        int yy, mm, dd;
        civil_from_days(days, yy, mm, dd);
        ASSERT_EQ(std::tie(yy, mm, dd), std::tie(y, m, d));
      }
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
}

TEST(Dates, BadDatesAndFormatsThrow) {
  EXPECT_THROW(format_date(2021, 13, 1, 0), std::invalid_argument);
  EXPECT_THROW(format_date(2021, 4, 31, 1), std::invalid_argument);
  EXPECT_THROW(format_date(2023, 2, 29, 1), std::invalid_argument);
  EXPECT_NO_THROW(format_date(2024, 2, 29, 1));
  EXPECT_THROW(format_date(2021, 7, 30, 9), std::invalid_argument);
  EXPECT_THROW(format_date(2021, 7, 30, -1), std::invalid_argument);
  try {
    format_date(2021, 7, 30, 12);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("12"), std::string::npos) << e.what();
  }
}

// --- dates: the task --------------------------------------------------------------------------

TEST(DatesTask, NormalizeFoldsCaseAndSpaces) {
  const auto task = make_task("dates");
  EXPECT_EQ(task->normalize_input("  Thrusday,   OCTOBER 13\t2011 "), "thrusday, october 13 2011");
  EXPECT_EQ(task->normalize_input("28 March 2005"), "28 march 2005");
  EXPECT_EQ(task->normalize_input(""), "");
  EXPECT_EQ(task->demo_inputs(),
            (std::vector<std::string>{"Thrusday, October 13 2011", "28 March 2005"}));
}

TEST(DatesTask, CleanSamplesAreExactFormatsOfTheirAnswer) {
  const auto task = make_task("dates");
  Rng rng(3);
  std::set<int> formats, years;
  std::set<std::string> cases;
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (int i = 0; i < 20000; ++i) {
    const Example ex = task->sample(rng, false);
    int y, m, d;
    parse_machine(ex.output, y, m, d);
    ASSERT_TRUE(is_valid_date(y, m, d)) << ex.output;
    first = std::min(first, days_from_civil(y, m, d));
    last = std::max(last, days_from_civil(y, m, d));
    years.insert(y);
    int format = -1;
    for (int f = 0; f < kDateFormats; ++f)
      if (task->normalize_input(format_date(y, m, d, f)) == task->normalize_input(ex.input))
        format = f;
    ASSERT_GE(format, 0) << ex.input << " -> " << ex.output;
    formats.insert(format);
    if (format != 0 && format != 6) {
      const bool has_lower = std::any_of(ex.input.begin(), ex.input.end(), ::islower);
      const bool has_upper = std::any_of(ex.input.begin(), ex.input.end(), ::isupper);
      cases.insert(has_lower && has_upper ? "Title" : has_upper ? "UPPER" : "lower");
    }
  }
  EXPECT_GE(first, days_from_civil(2000, 1, 1));
  EXPECT_LE(last, days_from_civil(2024, 1, 1));
  EXPECT_LT(first, days_from_civil(2000, 1, 10));  // the whole range is used
  EXPECT_GT(last, days_from_civil(2023, 12, 20));
  EXPECT_EQ(years.size(), 24u + (last >= days_from_civil(2024, 1, 1)));
  EXPECT_EQ(formats.size(), static_cast<size_t>(kDateFormats));
  EXPECT_EQ(cases, (std::set<std::string>{"Title", "UPPER", "lower"}));
}

TEST(DatesTask, NoiseCanProduceTheSeedInput) {
  const std::string clean = format_date(2011, 10, 13, 3);
  ASSERT_EQ(clean, "Thursday, October 13, 2011");
  Rng rng(4);
  bool found = false;
  for (int i = 0; i < 300000 && !found; ++i) found = add_date_noise(clean, rng) == "Thrusday, October 13 2011";
  EXPECT_TRUE(found);
}

TEST(DatesTask, NoiseNeverTouchesDigitsAndKeepsMonthsUnambiguous) {
  // Every spelling of every month after noise, lower-cased; no spelling may serve two months.
  std::map<std::string, std::set<int>> month_spellings;
  Rng rng(5);
  int changed = 0, trials = 0;
  for (int m = 1; m <= 12; ++m)
    for (int f = 0; f < kDateFormats; ++f)
      for (int i = 0; i < 400; ++i, ++trials) {
        const std::string clean = format_date(2012, m, 3 + m, f);
        const std::string noisy = add_date_noise(clean, rng);
        changed += noisy != clean;
        ASSERT_EQ(strip_letters_and_commas(noisy), strip_letters_and_commas(clean)) << noisy;
        ASSERT_LE(std::count(clean.begin(), clean.end(), ',') - std::count(noisy.begin(), noisy.end(), ','), 1);
        if (f == 1 || f == 2 || f == 4 || f == 5) {  // the month is the only name
          std::string word;
          for (char c : noisy)
            if (std::isalpha(static_cast<unsigned char>(c))) word += static_cast<char>(std::tolower(c));
          month_spellings[word].insert(m);
        }
      }
  for (const auto& [spelling, months] : month_spellings) EXPECT_EQ(months.size(), 1u) << spelling;
  EXPECT_FALSE(month_spellings.count("ma"));  // Mar or May? never produced
  // 7 of 9 formats have names: about 0.3 * 7/9 typos, plus dropped commas.
  EXPECT_GT(changed, trials * 0.18);
  EXPECT_LT(changed, trials * 0.35);
}

TEST(DatesTask, NoisySamplesStillAnswerTheirCleanDate) {
  const auto task = make_task("dates");
  Rng rng(6);
  int noisy_count = 0;
  for (int i = 0; i < 20000; ++i) {
    const Example ex = task->sample(rng, true);
    int y, m, d;
    parse_machine(ex.output, y, m, d);
    const std::string input = task->normalize_input(ex.input);
    bool digits_match = false, clean = false;
    for (int f = 0; f < kDateFormats; ++f) {
      const std::string formatted = task->normalize_input(format_date(y, m, d, f));
      digits_match |= strip_letters_and_commas(formatted) == strip_letters_and_commas(input);
      clean |= formatted == input;
    }
    ASSERT_TRUE(digits_match) << ex.input << " -> " << ex.output;
    noisy_count += !clean;
  }
  EXPECT_GT(noisy_count, 20000 * 0.18);
  EXPECT_LT(noisy_count, 20000 * 0.35);
}

// --- every task: lengths and alphabets --------------------------------------------------------

TEST(AllTasks, LengthsAndAlphabetsBoundEverySample) {
  for (const std::string& spec : kSpecs) {
    const auto task = make_task(spec);
    const std::string in_alpha = task->input_alphabet(), out_alpha = task->output_alphabet();
    EXPECT_EQ(std::set<char>(in_alpha.begin(), in_alpha.end()).size(), in_alpha.size()) << spec;
    EXPECT_EQ(std::set<char>(out_alpha.begin(), out_alpha.end()).size(), out_alpha.size()) << spec;
    size_t longest_in = 0, longest_out = 0;
    Rng rng(7);
    for (int i = 0; i < 100000; ++i) {
      const Example ex = task->sample(rng, i % 4 != 0);
      const std::string input = task->normalize_input(ex.input);
      longest_in = std::max({longest_in, ex.input.size(), input.size()});
      longest_out = std::max(longest_out, ex.output.size());
      for (char c : input) ASSERT_NE(in_alpha.find(c), std::string::npos) << spec << ": " << input;
      for (char c : ex.output) ASSERT_NE(out_alpha.find(c), std::string::npos) << spec << ": " << ex.output;
    }
    EXPECT_LE(longest_in, task->max_input_length()) << spec;
    EXPECT_LE(longest_out, task->max_output_length()) << spec;
    EXPECT_GE(longest_in + 3, task->max_input_length()) << spec << ": bound far from the samples";
    for (const std::string& demo : task->demo_inputs())
      for (char c : task->normalize_input(demo)) EXPECT_NE(in_alpha.find(c), std::string::npos) << demo;
  }
}

// --- held-out and training split --------------------------------------------------------------

TEST(TaskData, HeldoutIsDistinctCleanAndDeterministic) {
  const auto task = make_task("dates");
  TaskData a(*task, 42, 1000), b(*task, 42, 1000), c(*task, 43, 1000);
  ASSERT_EQ(a.heldout().size(), 1000u);
  std::set<std::string> inputs;
  for (size_t i = 0; i < a.heldout().size(); ++i) {
    const Example& ex = a.heldout()[i];
    EXPECT_TRUE(inputs.insert(task->normalize_input(ex.input)).second) << ex.input;
    EXPECT_EQ(ex.input, b.heldout()[i].input);
    EXPECT_EQ(ex.output, b.heldout()[i].output);
    int y, m, d;
    parse_machine(ex.output, y, m, d);
    bool clean = false;
    for (int f = 0; f < kDateFormats; ++f)
      clean |= task->normalize_input(format_date(y, m, d, f)) == task->normalize_input(ex.input);
    EXPECT_TRUE(clean) << ex.input;
  }
  int same = 0;
  for (size_t i = 0; i < 1000; ++i) same += a.heldout()[i].input == c.heldout()[i].input;
  EXPECT_LT(same, 10);
  for (int i = 0; i < 1000; ++i) {
    const Example x = a.next_train(), y = b.next_train();
    ASSERT_EQ(x.input, y.input);
    ASSERT_EQ(x.output, y.output);
  }
}

TEST(TaskData, TrainingNeverSeesHeldoutInputs) {
  // reverse with 3 letters has only 17576 inputs, so rejection really happens there.
  for (const auto& [spec, min_len, max_len] :
       {std::tuple{"dates", 5, 12}, std::tuple{"sort", 5, 12}, std::tuple{"reverse", 3, 3},
        std::tuple{"shift-left:4", 5, 12}}) {
    const auto task = make_task(spec, min_len, max_len);
    TaskData data(*task, 7, 1000);
    std::set<std::string> heldout;
    for (const Example& ex : data.heldout()) heldout.insert(task->normalize_input(ex.input));
    ASSERT_EQ(heldout.size(), 1000u);
    for (int i = 0; i < 20000; ++i)
      ASSERT_FALSE(heldout.count(task->normalize_input(data.next_train().input))) << spec;
  }
}

TEST(TaskData, TooSmallTasksFailClearly) {
  const auto tiny = make_task("reverse", 1, 1);  // 26 possible inputs
  try {
    TaskData data(*tiny, 1, 1000);
    ADD_FAILURE() << "held out 1000 of 26 inputs";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1000"), std::string::npos) << e.what();
  }
  TaskData all(*tiny, 1, 26);
  EXPECT_THROW(all.next_train(), std::runtime_error);
}
