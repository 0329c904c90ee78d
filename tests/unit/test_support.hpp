#pragma once
// Shared helpers for the unit tests: fixture loading and message checks.

#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace referee_test {

inline nlohmann::json load_fixture(const std::string& name) {
  std::ifstream in(std::string(REFEREE_FIXTURES_DIR) + "/" + name);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  return nlohmann::json::parse(in);
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `f`, expecting an exception of type E whose message contains every fragment.
template <class E, class F>
void check_error(F&& f, std::initializer_list<std::string> fragments) {
  bool thrown = false;
  try {
    f();
  } catch (const E& e) {
    thrown = true;
    const std::string what = e.what();
    for (const auto& fragment : fragments)
      CHECK_MESSAGE(what.find(fragment) != std::string::npos,
                    "message \"" << what << "\" lacks \"" << fragment << "\"");
  }
  CHECK_MESSAGE(thrown, "expected an exception");
}

}  // namespace referee_test
