#pragma once
// The audit report: everything needed to reproduce and defend the verdict. Everything
// outside its "run" section is a pure function of (data, policy, seed), so two runs can
// be compared byte for byte. Layout documented in docs/report.md.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include <referee/evaluate.hpp>

namespace referee {

nlohmann::ordered_json report_json(const Evaluation& evaluation);
std::string report_text(const Evaluation& evaluation);  // 2-space indented, trailing newline

// Writes the report next to its destination and renames it into place, so a reader
// never sees a partial report.
void write_report(const Evaluation& evaluation, const std::filesystem::path& path);

}  // namespace referee
