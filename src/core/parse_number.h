// Numbers read from files and flags, without std::stoi: that throws "stoi" (or "stoul") as its
// whole message, which would reach the user as is. Callers turn nullopt into an error naming the
// value and where it came from.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>

namespace attnscope {

// All of `text` as a T in `base` ("12", "ff"): nullopt when it is empty, holds anything else
// (a sign, a space), or lies outside T's range. Never throws.
template <class T>
std::optional<T> parse_number(std::string_view text, int base = 10) {
  if (text.empty() || text[0] == '+' || text[0] == '-') return std::nullopt;
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace attnscope
