#include "cli/markdown_append.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "io/input_file.hpp"

namespace referee::cli {

bool is_step_summary(const std::string& path) {
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (summary == nullptr || *summary == '\0' || path.empty()) return false;
  if (path == summary) return true;
  std::error_code ignored;
  return std::filesystem::equivalent(path, summary, ignored);
}

void check_appendable(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::exists(path, ignored)) InputFile(path, "file to append to");
}

std::string appended(const std::string& path, const std::string& report, const Limits& limits) {
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) return report;
  std::string text = read_small_file(path, limits, "file to append to", "max_report_bytes");
  if (text.empty()) return report;
  if (text.back() != '\n') text += '\n';
  return text + "\n" + report;
}

}  // namespace referee::cli
