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

ojson predicate_json(const Evaluation& ev, const AttestationInputs& in) {
  ojson p;
  p["referee_version"] = REFEREE_VERSION_STRING;
  p["verdict"] = verdict_name(ev.verdict);
  p["passed"] = ev.passed;
  p["report"] = ojson{{"name", in.report_name}, {"digest", ojson{{"sha256", sha256_hex(in.report)}}}};
  p["policy_sha256"] = ev.policy.sha256;  // of the canonical policy, as in the report
  p["data"] = ojson{{"rows", ev.rows}, {"sha256", ev.source.sha256}, {"sha256_of", ev.source.hashed}};
  p["bootstrap"] = ojson{{"seed", ev.bootstrap.seed}, {"resamples", ev.bootstrap.resamples}};
  p["reproduced"] = in.reproduced;
  return p;
}

}  // namespace

AttestationSubject parse_subject_option(std::string_view text) {
  const auto fail = [&] {
    return UsageError("--subject " + quoted_excerpt(text) + " must be NAME=sha256:HEX, HEX 64 lowercase hex digits");
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

std::string attestation_text(const Evaluation& ev, const AttestationInputs& in) {
  ojson subjects = ojson::array();
  // Only a file's digest names an artifact others can hash; in-memory data has none.
  if (ev.source.hashed == "file bytes")
    subjects.push_back(subject_json({std::filesystem::path(ev.source.origin).filename().string(), ev.source.sha256}));
  for (const AttestationSubject& s : in.subjects) subjects.push_back(subject_json(s));
  ojson statement;
  statement["_type"] = "https://in-toto.io/Statement/v1";
  statement["subject"] = subjects;
  statement["predicateType"] = kPredicateType;
  statement["predicate"] = predicate_json(ev, in);
  return statement.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace referee
