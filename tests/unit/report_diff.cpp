// Reproducing a verdict (render/report_diff.hpp) and attesting it (render/attestation.hpp):
// a real report from evaluate() on the bundled example, perturbed one figure or one byte at
// a time, must be told apart at the right JSON path; untouched, or with only its "run"
// section changed, it must verify.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/render.hpp>

#include "io/sha256.hpp"
#include "render/attestation.hpp"
#include "render/report_diff.hpp"
#include "test_support.hpp"

namespace {

using ojson = nlohmann::ordered_json;
using referee::first_report_difference;
using referee::parse_stored_report;

const std::string kExamples = std::string(REFEREE_SOURCE_DIR) + "/examples";

const referee::Evaluation& example_evaluation() {
  static const referee::Evaluation ev = [] {
    const referee::Policy policy = referee::load_policy(kExamples + "/gate.json");
    const referee::Table table =
        referee::read_table_csv(kExamples + "/credit_eval_small.csv", policy.columns, policy.task);
    return referee::evaluate(table, policy, {.threads = 1});
  }();
  return ev;
}

const std::string& example_report() {
  static const std::string text = referee::report_text(example_evaluation());
  return text;
}

// The report as referee writes it, after `edit` on its ordered document.
template <class Edit>
std::string edited(Edit edit) {
  ojson doc = ojson::parse(example_report());
  edit(doc);
  return doc.dump(2) + "\n";
}

std::string difference_of(const std::string& stored_text) {
  const auto d = first_report_difference(parse_stored_report(stored_text, "stored.json"), example_report());
  return d ? d->message() : std::string("none");
}

}  // namespace

TEST_CASE("report_diff: the same report, or one whose run section alone differs, verifies") {
  CHECK(difference_of(example_report()) == "none");
  CHECK(difference_of(edited([](ojson& d) {
          d["run"]["seconds"] = 12345.5;
          d["run"]["threads"] = 7;
          d["run"]["started_at"] = "1999-01-01T00:00:00Z";
        })) == "none");
}

TEST_CASE("report_diff: one figure changed is named by its JSON path with both values") {
  const ojson original = ojson::parse(example_report());
  const double estimate = original["rules"][0]["estimate"].get<double>();
  const std::string message = difference_of(edited([&](ojson& d) { d["rules"][0]["estimate"] = estimate + 1e-4; }));
  CHECK(message.rfind("$.rules[0].estimate: stored ", 0) == 0);
  CHECK(message.find(", now " + ojson(estimate).dump()) != std::string::npos);
  CHECK(difference_of(edited([](ojson& d) { d["verdict"] = "PASS\x1b[2J"; })).find("\\x1B") != std::string::npos);
  CHECK(difference_of(edited([](ojson& d) { d["rules"].push_back(ojson::object()); })) ==
        "$.rules[" + std::to_string(original["rules"].size()) + "]: stored an object, now absent");
  CHECK(difference_of(edited([](ojson& d) { d["data"]["sha256_of"] = "columns"; })) ==
        "$.data.sha256_of: stored \"columns\", now \"rows_by_unit\"");
  CHECK(difference_of(edited([](ojson& d) { d["data"].erase("file_sha256"); })) ==
        "$.data.file_sha256: stored absent, now \"" + original["data"]["file_sha256"].get<std::string>() + "\"");
  // An integer where the report has a double: the same number to a JSON reader, other bytes.
  CHECK(difference_of(edited([](ojson& d) { d["bootstrap"]["confidence"] = 1; })).rfind("$.bootstrap.confidence:", 0) == 0);
}

// The rows digest identifies the data; the file it came from (name, bytes) is provenance,
// like the run: the same rows from another file, or from a DataFrame, reproduce the report.
TEST_CASE("report_diff: the data file's name and bytes digest are provenance, the rows digest is not") {
  CHECK(difference_of(edited([](ojson& d) {
          d["data"]["file"] = nullptr;
          d["data"]["file_sha256"] = nullptr;
        })) == "none");
  CHECK(difference_of(edited([](ojson& d) { d["data"]["file_sha256"] = std::string(64, '0'); })) == "none");
  CHECK(difference_of(edited([](ojson& d) { d["data"]["sha256"] = std::string(64, '0'); }))
            .rfind("$.data.sha256: stored ", 0) == 0);
}

// Decided: the comparison is of bytes. Keys in another order, or the same document laid out
// otherwise (re-indented by a tool), are a difference, since a signed digest is of bytes.
TEST_CASE("report_diff: reordered keys and another layout are differences") {
  const std::string reordered = edited([](ojson& d) {
    ojson data = ojson::object();
    for (auto it = d["data"].items().begin(); it != d["data"].items().end(); ++it) data[it.key()] = it.value();
    const ojson file = data["file"];
    data.erase("file");
    data["file"] = file;
    d["data"] = data;
  });
  CHECK(difference_of(reordered) == "$.data: stored key \"rows\", now key \"file\"");
  const std::string reindented = ojson::parse(example_report()).dump(4) + "\n";
  CHECK(difference_of(reindented).find("$: the values agree but the layout differs at line 2, column 3") == 0);
  CHECK(difference_of(example_report() + "\n").find("layout differs at line") != std::string::npos);
}

TEST_CASE("report_diff: a stored file that is not this version's report is a DataError naming it") {
  using referee_test::check_error;
  check_error<referee::DataError>([] { parse_stored_report("{\"a\": 1}", "x.json"); }, {"x.json", "not a referee report"});
  check_error<referee::DataError>([] { parse_stored_report("[1, 2", "y.json"); }, {"y.json", "invalid JSON"});
  check_error<referee::DataError>([] { parse_stored_report("{\"a\": 1, \"a\": 2}", "z.json"); }, {"z.json"});
  const std::string old = edited([](ojson& d) { d["referee_version"] = "0.0.1"; });
  check_error<referee::DataError>([&] { parse_stored_report(old, "old.json"); }, {"old.json", "\"0.0.1\""});
  referee::Limits small;
  small.max_report_bytes = 10;
  referee_test::TempFile file(example_report(), ".json");
  check_error<referee::DataError>([&] { referee::read_stored_report(file.path(), small); }, {"max_report_bytes"});
  CHECK(referee::stored_seed(referee::read_stored_report(file.path())) == example_evaluation().bootstrap.seed);
}

TEST_CASE("attestation: an in-toto Statement v1 over the data, the policy and the caller's artifacts") {
  const std::string hex(64, 'a');
  const referee::AttestationSubject model = referee::parse_subject_option("model.pkl=sha256:" + hex);
  CHECK(model.name == "model.pkl");
  CHECK(model.sha256 == hex);
  for (const std::string& bad : std::vector<std::string>{"model.pkl", "=sha256:" + hex, "m=sha256:" + std::string(64, 'A'),
                                "m=sha256:" + std::string(63, 'a'), "m=sha512:" + hex, "m=" + hex})
    CHECK_THROWS_AS(referee::parse_subject_option(bad), referee::UsageError);

  const std::string report = example_report();
  const ojson statement = ojson::parse(
      referee::attestation_text({"report.json", report, {model}, false}));
  CHECK(statement["_type"] == "https://in-toto.io/Statement/v1");
  CHECK(statement["predicateType"] == std::string(referee::kPredicateType));
  REQUIRE(statement["subject"].size() == 3);
  // The rows digest, then the file by its bytes, each saying which it is.
  CHECK(statement["subject"][0]["name"] == "credit_eval_small.csv#rows");
  CHECK(statement["subject"][0]["digest"]["sha256"] == ojson::parse(report)["data"]["sha256"]);
  CHECK(statement["subject"][0]["annotations"]["sha256_of"] == "rows_by_unit");  // clustered
  CHECK(statement["subject"][0]["annotations"]["format"] == std::string(referee::kUnitRowsDigestFormat));
  CHECK(statement["subject"][1]["name"] == "credit_eval_small.csv");
  CHECK(statement["subject"][1]["digest"]["sha256"] ==
        referee::sha256_hex(referee_test::read_text(kExamples + "/credit_eval_small.csv")));
  CHECK(statement["subject"][1]["annotations"]["sha256_of"] == "file bytes");
  CHECK(statement["subject"][2]["name"] == "model.pkl");
  CHECK(statement["predicate"]["data"]["file_sha256"] == statement["subject"][1]["digest"]["sha256"]);
  CHECK(statement["predicate"]["verdict"] == ojson::parse(report)["verdict"]);
  CHECK(statement["predicate"]["report"]["digest"]["sha256"].get<std::string>().size() == 64);
  CHECK_THROWS_AS(referee::attestation_text({"x.json", "{}", {}, false}), referee::DataError);
}

TEST_CASE("report_diff: a text from the data that differs is named by its size, never shown") {
  // A segment's value is a cell of the data: an auditor's log sees the path, not the text.
  std::string text = referee_test::read_text(kExamples + "/gate-segments.json");
  text.replace(text.find("\"resamples\": 1000"), 17, "\"resamples\": 100");
  const referee::Policy policy = referee::parse_policy_text(text, "gate-segments.json");
  const referee::Table table = referee::read_table_csv(kExamples + "/credit_eval.csv", policy.columns, policy.task);
  const std::string now = referee::report_text(referee::evaluate(table, policy, {.threads = 1}));
  ojson doc = ojson::parse(now);
  const std::string original = doc["segments"][0]["values"][0]["value"].get<std::string>();
  doc["segments"][0]["values"][0]["value"] = "SECRET-4242";
  const auto d = first_report_difference(parse_stored_report(doc.dump(2) + "\n", "stored.json"), now);
  REQUIRE(d);
  const std::string message = d->message();
  CHECK(message.find("$.segments[0].values[0].value") != std::string::npos);
  CHECK(message.find("a text of 11 bytes") != std::string::npos);
  CHECK(message.find("a text of " + std::to_string(original.size()) + " bytes") != std::string::npos);
  CHECK(message.find("SECRET-4242") == std::string::npos);
  CHECK(message.find(original) == std::string::npos);
}
