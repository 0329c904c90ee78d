#pragma once
// Reproducing a verdict: a stored report against the report of a fresh run on the same
// inputs (`referee verify`, referee.verify). Everything outside the top-level "run" section
// and the data's provenance ($.data.file, $.data.file_sha256) is a pure function of (rows,
// policy, seed), so the two must agree byte for byte there. The rows are identified by the
// rows digest ($.data.sha256), which is compared: the same rows from another file's bytes
// (or from a DataFrame) reproduce the verdict.
//
// The comparison is of bytes, not of meaning: the stored file must equal, byte for byte,
// the fresh report with the stored "run" section put in its place. So keys in another
// order, re-indented text or a number spelt differently (1e-2 for 0.01) count as a
// difference even where a JSON reader would see the same document: an auditor's copy is
// the one referee wrote, and a signed digest is of those bytes. When the documents differ,
// the first difference is named by its JSON path, in document order; when only the layout
// differs, by its line and column.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <referee/limits.hpp>

namespace referee {

struct StoredReport {
  std::string name;                 // the file, for messages
  std::string text;                 // its exact bytes
  nlohmann::ordered_json document;  // keys in the stored order
};

// Reads a stored report: a regular file of at most limits.max_report_bytes, well-formed
// JSON under the reader's caps (policy/json_text.hpp), an object with the report's top-level
// fields, written by this version of referee (a report's layout is the version's: another
// version's report is reproduced with that version). Every failure is a DataError naming
// the file; an unreadable file an IoError.
StoredReport read_stored_report(const std::filesystem::path& path, const Limits& limits = {});
StoredReport parse_stored_report(std::string text, std::string name, const Limits& limits = {});

// The seed the stored run used ($.bootstrap.seed, after any --seed override), which a
// re-run must use too.
std::uint64_t stored_seed(const StoredReport& stored);

struct ReportDifference {
  std::string path;    // "$.rules[0].estimate", or "$" with `where` for a layout difference
  std::string stored;  // the values, escaped and cut (common/quoted.hpp), or "" for absent
  std::string now;
  std::string where;   // "line L, column C" when only the layout differs

  // "$.rules[0].estimate: stored 0.0254, now 0.0255"
  std::string message() const;
};

// The first difference between the stored report and a fresh report's text outside the
// top-level "run" section and the data's provenance, or nullopt when they agree byte for
// byte there.
std::optional<ReportDifference> first_report_difference(const StoredReport& stored, const std::string& now_text);

}  // namespace referee
