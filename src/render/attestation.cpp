#include "render/attestation.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <referee/error.hpp>
#include <referee/version.h>

#include "common/quoted.hpp"
#include "io/input_file.hpp"
#include "io/sha256.hpp"

namespace referee {

namespace {

using ojson = nlohmann::ordered_json;

bool is_lowercase_hex_digest(std::string_view hex) {
  return hex.size() == 64 &&
         std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

ojson subject_json(const AttestationSubject& s) {
  ojson j;
  j["name"] = s.name;
  j["digest"] = ojson{{"sha256", s.sha256}};
  return j;
}

// The data as subjects: first its rows digest (the same whatever the door: a DataFrame's
// and its CSV's agree), then, when it came from a file, the file's bytes (what sha256sum
// gives). An annotation says which is which, since a rows digest is not of a file's bytes.
void add_data_subjects(ojson& subjects, const ojson& data) {
  const bool file = data.at("file").is_string();
  ojson rows = subject_json({file ? data.at("file").get<std::string>() + "#rows" : "rows",
                             data.at("sha256").get<std::string>()});
  const ojson& kind = data.at("sha256_of");
  const std::string_view format = kind == "rows_by_id"     ? kKeyedRowsDigestFormat
                                  : kind == "rows_by_unit" ? kUnitRowsDigestFormat
                                                           : kRowsDigestFormat;
  rows["annotations"] = ojson{{"sha256_of", kind}, {"format", format}};
  subjects.push_back(std::move(rows));
  if (!file || !data.at("file_sha256").is_string()) return;
  ojson bytes = subject_json({data.at("file").get<std::string>(), data.at("file_sha256").get<std::string>()});
  bytes["annotations"] = ojson{{"sha256_of", "file bytes"}};
  subjects.push_back(std::move(bytes));
}

// The report's own figures: what the verdict is, and what a re-run needs.
ojson predicate_json(const ojson& report, const AttestationInputs& in) {
  ojson p;
  p["referee_version"] = REFEREE_VERSION_STRING;
  p["verdict"] = report.at("verdict");
  p["passed"] = report.at("passed");
  p["report"] = ojson{{"name", in.report_name}, {"digest", ojson{{"sha256", sha256_hex(in.report)}}}};
  p["policy_sha256"] = report.at("policy_sha256");  // of the canonical policy, as in the report
  const ojson& data = report.at("data");
  p["data"] = ojson{{"rows", data.at("rows")},
                    {"sha256", data.at("sha256")},
                    {"sha256_of", data.at("sha256_of")},
                    {"file_sha256", data.at("file_sha256")}};
  const ojson& bootstrap = report.at("bootstrap");
  p["bootstrap"] = ojson{{"seed", bootstrap.at("seed")}, {"resamples", bootstrap.at("resamples")}};
  p["reproduced"] = in.reproduced;
  return p;
}

ojson statement_json(const ojson& report, const AttestationInputs& in) {
  ojson subjects = ojson::array();
  add_data_subjects(subjects, report.at("data"));
  for (const AttestationSubject& s : in.subjects) subjects.push_back(subject_json(s));
  ojson statement;
  statement["_type"] = "https://in-toto.io/Statement/v1";
  statement["subject"] = subjects;
  statement["predicateType"] = kPredicateType;
  statement["predicate"] = predicate_json(report, in);
  return statement;
}

}  // namespace

AttestationSubject parse_subject_option(std::string_view text) {
  const auto fail = [&] {
    return UsageError("subject " + quoted_excerpt(text) + " must be NAME=sha256:HEX, HEX 64 lowercase hex digits");
  };
  const auto eq = text.rfind('=');
  if (eq == std::string_view::npos || eq == 0) throw fail();
  const std::string_view digest = text.substr(eq + 1);
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.substr(0, kPrefix.size()) != kPrefix || !is_lowercase_hex_digest(digest.substr(kPrefix.size())))
    throw fail();
  return {std::string(text.substr(0, eq)), std::string(digest.substr(kPrefix.size()))};
}

AttestationSubject file_subject(const std::filesystem::path& path, const Limits& limits, std::string_view what,
                                std::string_view cap) {
  return {path.filename().string(), sha256_hex(read_small_file(path, limits, what, cap))};
}

std::string attestation_text(const AttestationInputs& in) {
  try {
    return statement_json(ojson::parse(in.report), in).dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
  } catch (const nlohmann::json::exception&) {
    throw DataError(in.report_name + ": is not a referee report, so it cannot be attested");
  }
}

}  // namespace referee
