#pragma once
// Shared helpers for the unit tests: fixture loading and message checks.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include <unistd.h>

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

// A file in the temp directory holding `content` byte for byte, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& suffix = ".csv") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("referee-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + suffix);
    std::ofstream out(path_, std::ios::binary);
    out << content;
    REQUIRE(out.good());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string name() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

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
