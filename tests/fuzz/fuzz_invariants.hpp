#pragma once
// What every harness checks beyond "no crash": an input may only fail with one of the
// referee error kinds the surface documents (a std::exception or an nlohmann exception
// escaping would be exit 70, "internal error", at every door), and the message of that
// error must be fit for a terminal or a log: valid UTF-8, one line, no control bytes (C0,
// DEL) and no bidirectional overrides, which could rewrite what a reader sees.
// A broken invariant prints what broke (escaped) and aborts, which libFuzzer records as a
// crash with the input that caused it.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>
#include <typeinfo>

#include <referee/error.hpp>

#include "common/quoted.hpp"
#include "io/utf8.hpp"

namespace referee::fuzz {

[[noreturn]] inline void broken(std::string_view invariant, std::string_view detail) {
  std::fprintf(stderr, "\n*** invariant broken: %.*s\n*** %s\n", static_cast<int>(invariant.size()),
               invariant.data(), escaped(detail, 4000).c_str());
  std::abort();
}

// The offset of the first byte that may not appear in a message, or npos.
inline std::size_t unfit_for_a_log(std::string_view m) {
  for (std::size_t i = 0; i < m.size();) {
    const std::size_t length = utf8_sequence_length(m, i);
    const auto lead = static_cast<unsigned char>(m[i]);
    if (length == 0 || lead < 0x20 || lead == 0x7F) return i;
    if (is_hidden_character(m, i, length)) return i;
    i += length;
  }
  return std::string_view::npos;
}

inline void check_message(std::string_view m) {
  if (m.empty()) broken("an error message is not empty", "");
  if (unfit_for_a_log(m) != std::string_view::npos)
    broken("an error message is valid UTF-8 with no control bytes or bidi overrides", m);
}

// Runs f; an exception must be a referee::Error of one of `allowed` kinds, with a
// message fit for a log. Returns true when f returned normally.
template <class F>
bool only_referee_errors(std::initializer_list<ErrorKind> allowed, F&& f) {
  try {
    f();
    return true;
  } catch (const Error& e) {
    bool ok = false;
    for (ErrorKind k : allowed) ok = ok || e.kind() == k;
    if (!ok) broken("the error is of a kind this surface documents", std::string(typeid(e).name()) + ": " + e.what());
    check_message(e.what());
    // REFEREE_FUZZ_VERBOSE=1 shows why each input was refused: to check that seeds
    // reach as far as they should.
    static const bool verbose = std::getenv("REFEREE_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "refused: %s\n", e.what());
  } catch (const std::exception& e) {
    broken("only referee errors escape", std::string(typeid(e).name()) + ": " + e.what());
  } catch (...) {
    broken("only referee errors escape", "an exception that is not a std::exception");
  }
  return false;
}

inline void require(bool condition, std::string_view invariant, std::string_view detail = "") {
  if (!condition) broken(invariant, detail);
}

}  // namespace referee::fuzz
