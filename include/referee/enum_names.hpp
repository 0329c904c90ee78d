#pragma once
// Policy keywords for enums numbered 0..N-1 with a table of their names: one lookup, so
// every keyword is matched the same way (exact, case-sensitive).

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace referee {

template <class Enum, std::size_t N>
constexpr std::optional<Enum> enum_from_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace referee
