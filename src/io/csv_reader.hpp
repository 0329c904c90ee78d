#pragma once
// A streaming CSV reader (RFC 4180 plus the usual extras: CRLF or LF line ends, a UTF-8
// byte-order mark, quoted fields with "" escapes and embedded line breaks). It reads the
// file once in fixed-size chunks, parses only the requested columns straight into column
// buffers, and hashes the raw bytes on the way so the report can name the exact input.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <functional>

#include <referee/limits.hpp>

namespace referee {

enum class CsvColumnKind {
  numeric,  // every cell must parse as a finite decimal number
  text,     // any non-empty cell; dictionary-encoded in first-seen order
};

struct CsvColumnRequest {
  std::string name;
  CsvColumnKind kind = CsvColumnKind::numeric;
  bool allow_missing = false;  // text only: an empty cell becomes the empty string
};

struct CsvColumn {
  std::string name;
  CsvColumnKind kind = CsvColumnKind::numeric;
  std::vector<double> numbers;          // numeric: one value per data row
  std::vector<std::uint32_t> codes;     // text: one code per data row
  std::vector<std::string> dictionary;  // text: distinct values, in first-seen order
};

struct CsvTable {
  std::string path;                  // as given, for messages
  std::size_t rows = 0;              // data rows (header excluded)
  std::string sha256;                // hex digest of the file's bytes
  std::vector<std::string> header;   // all header names, in file order
  std::vector<CsvColumn> columns;    // one per request, in request order
};

// Reads `path`, returning the requested columns. Throws IoError when the file cannot be
// opened or read or is not a regular file (io/input_file.hpp), DataError for malformed
// content. Every message names the file, and where it applies the column (by header name,
// escaped and cut to 64 characters) and the data row (1-based, header excluded) and
// physical line, e.g.
//   eval.csv: row 17 (line 18), column "score_new": the value is not a number
// and never a cell's value. A requested column that is not in the header gets a
// did-you-mean. A field longer than limits.max_field_bytes or a record longer than
// limits.max_record_bytes (in the file's bytes) is a DataError naming the cap, raised as
// soon as the reader has read one byte too many.
// `from_header`, when given, replaces `requests` with the ones it makes from the header
// (multiclass probability columns named by a prefix are known only then).
using CsvRequestsFromHeader = std::function<std::vector<CsvColumnRequest>(std::span<const std::string> header)>;
CsvTable read_csv(const std::filesystem::path& path, std::span<const CsvColumnRequest> requests,
                  const Limits& limits = {}, CsvRequestsFromHeader from_header = {});

// A text cell's number, read exactly as a numeric column reads it (blanks around it are
// formatting, a leading '+' is allowed, underflow reads as 0); nullopt when the cell is
// empty, not a number or not finite.
std::optional<double> cell_number(std::string_view text);

// The same reading with the reason a cell has no number: `value` is set when ok.
enum class NumberStatus { ok, missing, not_a_number, not_finite };
NumberStatus cell_number_status(std::string_view text, double& value);

}  // namespace referee
