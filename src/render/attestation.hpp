#pragma once
// An in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md)
// about one evaluation, ready for `cosign attest-blob` or any in-toto signer: its subjects
// are the artifacts the verdict is about (the data file, the policy file, and any model
// artifacts the caller names), each by its SHA-256; its predicate, of referee's own type
// kPredicateType, carries the digest of the report's exact bytes, the verdict, referee's
// version and what a re-run needs (seed, resamples). docs/audit.md shows how it is used.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <referee/limits.hpp>

namespace referee {

// referee's predicate type: a URI of ours, not one registered with in-toto.
inline constexpr std::string_view kPredicateType = "https://github.com/referee/referee/attestation/evaluation/v1";
// Where the rows digest's encoding is documented, for the data subject's annotation.
inline constexpr std::string_view kRowsDigestFormat = "referee rows v1 (docs/audit.md, \"The rows digest\")";
// The same for a table with row ids ($.data.sha256_of "rows_by_id").
inline constexpr std::string_view kKeyedRowsDigestFormat =
    "referee keyed rows v1 (docs/audit.md, \"The keyed rows digest\")";
// The same for a table keyed by clusters or queries without ids ("rows_by_unit").
inline constexpr std::string_view kUnitRowsDigestFormat =
    "referee unit rows v1 (docs/audit.md, \"The unit rows digest\")";

struct AttestationSubject {
  std::string name;
  std::string sha256;  // 64 lowercase hex digits
};

// "name=sha256:HEX" (--subject; a model artifact, say): UsageError, naming the text escaped and cut,
// unless the name is not empty and HEX is 64 lowercase hex digits.
AttestationSubject parse_subject_option(std::string_view text);

// A file as a subject: its base name and the SHA-256 of its bytes, read under the cap
// named by `cap` (limits.hpp).
AttestationSubject file_subject(const std::filesystem::path& path, const Limits& limits, std::string_view what,
                                std::string_view cap = "max_policy_bytes");

struct AttestationInputs {
  std::string report_name;  // the report file's base name
  std::string_view report;  // its exact bytes
  std::vector<AttestationSubject> subjects;  // the policy file and the caller's artifacts
  bool reproduced = false;  // written by `verify`, after a re-run matched the report
};

// The statement, 2-space indented with a trailing newline, read off the report itself, so
// that it says only what the attested bytes say. The first subject is the data's rows digest
// (the report's $.data.sha256; named "FILE#rows", or "rows" for data handed over in memory),
// then, for a file, the file itself by the digest of its bytes ($.data.file_sha256), each
// with an annotation "sha256_of". Text that is not a referee report is a DataError.
std::string attestation_text(const AttestationInputs& inputs);

}  // namespace referee
