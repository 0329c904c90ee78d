#include "render/report_diff.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include <referee/error.hpp>
#include <referee/version.h>

#include "common/quoted.hpp"
#include "io/input_file.hpp"
#include "policy/json_text.hpp"

namespace referee {

namespace {

using ojson = nlohmann::ordered_json;

// The fields every report has at its top level (docs/report.md), in the order it writes them.
constexpr std::string_view kReportFields[] = {"referee_version", "verdict", "passed", "policy_sha256", "policy",
                                              "data", "bootstrap", "task", "metrics", "rules", "run"};

void check_is_report(const ojson& document, const std::string& name) {
  const bool has_fields = document.is_object() && std::all_of(std::begin(kReportFields), std::end(kReportFields),
                                                               [&](std::string_view f) { return document.contains(f); });
  if (!has_fields || !document["referee_version"].is_string())
    throw DataError(name + ": is not a referee report (it lacks the report's top-level fields, docs/report.md)");
  const auto& version = document["referee_version"].get_ref<const std::string&>();
  if (version != REFEREE_VERSION_STRING)
    throw DataError(name + ": was written by referee " + quoted_excerpt(version) + ", this is referee " +
                    REFEREE_VERSION_STRING + "; reproduce it with the version that wrote it (docs/audit.md)");
}

// Report members whose text comes from the data (a segment's or group's value, a drift
// category, a fairness reference group): a message names their size, never their text.
bool holds_data_text(const std::string& path) {
  for (const char* member : {".value", ".segment", ".categories", ".reference", ".group"})
    if (path.find(member) != std::string::npos) return true;
  return false;
}

// A value for a message: a scalar as the report spells it (a text from the data by its
// size only), a container by its kind only.
std::string value_excerpt(const std::string& path, const ojson* value) {
  if (value == nullptr) return "absent";
  if (value->is_object()) return "an object";
  if (value->is_array()) return "an array of " + std::to_string(value->size());
  if (value->is_string() && holds_data_text(path))
    return "a text of " + std::to_string(value->get_ref<const std::string&>().size()) + " bytes";
  if (value->is_string()) return quoted_excerpt(value->get_ref<const std::string&>());
  return escaped(value->dump(), 40);
}

ReportDifference difference(const std::string& path, const ojson* stored, const ojson* now) {
  return {path, value_excerpt(path, stored), value_excerpt(path, now), {}};
}

std::optional<ReportDifference> first_difference(const ojson& stored, const ojson& now, const std::string& path);

// What says where the inputs came from rather than what they were: the run section (it
// varies between runs), and the data file's name and bytes digest. The data are identified
// by their rows digest ($.data.sha256), so the same rows from another file, or from a
// DataFrame, reproduce the verdict.
bool is_provenance(const std::string& path, const std::string& key) {
  if (path == "$") return key == "run";
  return path == "$.data" && (key == "file" || key == "file_sha256");
}

// The fresh report with the stored provenance in its place, so that the bytes can agree.
void adopt_provenance(ojson& now, const ojson& stored) {
  now["run"] = stored["run"];
  const ojson& data = stored["data"];
  if (!data.is_object() || !now["data"].is_object()) return;
  for (const char* key : {"file", "file_sha256"})
    if (data.contains(key) && now["data"].contains(key)) now["data"][key] = data[key];
}

std::optional<ReportDifference> first_object_difference(const ojson& stored, const ojson& now, const std::string& path) {
  auto s = stored.items().begin(), n = now.items().begin();
  for (; s != stored.items().end() && n != now.items().end(); ++s, ++n) {
    if (s.key() != n.key()) {
      // Keys in another order, or one missing: the object where they part, by both keys.
      return ReportDifference{path, "key " + quoted_excerpt(s.key()), "key " + quoted_excerpt(n.key()), {}};
    }
    if (is_provenance(path, s.key())) continue;
    if (auto d = first_difference(s.value(), n.value(), json_member_path(path, s.key()))) return d;
  }
  if (s != stored.items().end()) return difference(json_member_path(path, s.key()), &s.value(), nullptr);
  if (n != now.items().end()) return difference(json_member_path(path, n.key()), nullptr, &n.value());
  return std::nullopt;
}

std::optional<ReportDifference> first_array_difference(const ojson& stored, const ojson& now, const std::string& path) {
  const std::size_t common = std::min(stored.size(), now.size());
  for (std::size_t i = 0; i < common; ++i)
    if (auto d = first_difference(stored[i], now[i], path + "[" + std::to_string(i) + "]")) return d;
  if (stored.size() == now.size()) return std::nullopt;
  const std::string at = path + "[" + std::to_string(common) + "]";
  return stored.size() > common ? difference(at, &stored[common], nullptr) : difference(at, nullptr, &now[common]);
}

// Values compare by kind and then by their serialisation, so 1 and 1.0 (an integer and a
// double) differ as their bytes do.
std::optional<ReportDifference> first_difference(const ojson& stored, const ojson& now, const std::string& path) {
  if (stored.is_object() && now.is_object()) return first_object_difference(stored, now, path);
  if (stored.is_array() && now.is_array()) return first_array_difference(stored, now, path);
  if (stored.type() == now.type() && stored.dump() == now.dump()) return std::nullopt;
  return difference(path, &stored, &now);
}

// "line L, column C" of byte `offset` in `text`, columns counted in bytes from 1.
std::string line_and_column(const std::string& text, std::size_t offset) {
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  const std::size_t last_newline = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t column = offset == 0 || last_newline == std::string::npos ? offset + 1 : offset - last_newline;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

StoredReport parse_stored_report(std::string text, std::string name, const Limits& limits) {
  // The policy reader's checks (UTF-8, nesting, double range, no key twice), with the
  // report's size cap in place of the policy's.
  Limits report_limits = limits;
  report_limits.max_policy_bytes = limits.max_report_bytes;
  try {
    (void)read_json_text(text, name, report_limits);
  } catch (const PolicyError& e) {
    throw DataError(std::string(e.what()) + " (the stored report)");
  }
  StoredReport stored{std::move(name), std::move(text), {}};
  stored.document = ojson::parse(stored.text);  // well-formed, checked above; keeps the key order
  check_is_report(stored.document, stored.name);
  return stored;
}

StoredReport read_stored_report(const std::filesystem::path& path, const Limits& limits) {
  std::string text;
  try {
    text = read_small_file(path, limits, "stored report", "max_report_bytes");
  } catch (const PolicyError& e) {
    throw DataError(e.what());
  }
  return parse_stored_report(std::move(text), path.string(), limits);
}

std::uint64_t stored_seed(const StoredReport& stored) {
  const ojson& bootstrap = stored.document["bootstrap"];
  if (!bootstrap.is_object() || !bootstrap.contains("seed") || !bootstrap["seed"].is_number_unsigned())
    throw DataError(stored.name + ": $.bootstrap.seed is not a seed (an integer from 0)");
  return bootstrap["seed"].get<std::uint64_t>();
}

std::string ReportDifference::message() const {
  if (!where.empty()) return path + ": the values agree but the layout differs at " + where + " (not as referee writes it)";
  return path + ": stored " + stored + ", now " + now;
}

std::optional<ReportDifference> first_report_difference(const StoredReport& stored, const std::string& now_text) {
  ojson now = ojson::parse(now_text);
  if (auto d = first_difference(stored.document, now, "$")) return d;
  // The same document: the bytes must be too, once the stored provenance takes the fresh one's place.
  adopt_provenance(now, stored.document);
  const std::string expected = now.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
  if (expected == stored.text) return std::nullopt;
  const auto [at, unused] = std::mismatch(expected.begin(), expected.end(), stored.text.begin(), stored.text.end());
  (void)unused;
  const auto offset = static_cast<std::size_t>(at - expected.begin());
  return ReportDifference{"$", {}, {}, line_and_column(stored.text, offset)};
}

}  // namespace referee
