#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "io/csv_reader.hpp"
#include <referee/error.hpp>
#include <referee/limits.hpp>
#include "io/sha256.hpp"

#include "test_support.hpp"

using namespace referee;

namespace {

using TempCsv = referee_test::TempFile;

using Requests = std::vector<CsvColumnRequest>;

const Requests kRequests = {{"y"}, {"score"}, {"id", CsvColumnKind::text}};

CsvTable read(const std::string& content, const Requests& requests = kRequests) {
  TempCsv file(content);
  return read_csv(file.path(), requests);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Expects `read` to throw E, and the message to name the file and contain every fragment.
template <class E>
void check_error(const std::filesystem::path& path, const Requests& requests,
                 std::initializer_list<std::string> fragments) {
  std::string what;
  const auto attempt = [&] {
    try {
      read_csv(path, requests);
    } catch (const std::exception& e) {
      what = e.what();
      throw;
    }
  };
  CHECK_THROWS_AS(attempt(), E);
  INFO("message: " << what);
  CHECK(contains(what, path.string() + ": "));
  for (const std::string& fragment : fragments) CHECK_MESSAGE(contains(what, fragment), "lacks: " << fragment);
}

void check_data_error(const std::string& content, std::initializer_list<std::string> fragments,
                      const Requests& requests = kRequests) {
  INFO("content: " << content);
  TempCsv file(content);
  check_error<DataError>(file.path(), requests, fragments);
}

// The full message, for the cases whose exact wording is part of the contract.
std::string data_error_message(const std::string& content, const Requests& requests = kRequests,
                               const Limits& limits = {}) {
  TempCsv file(content);
  try {
    read_csv(file.path(), requests, limits);
  } catch (const DataError& e) {
    const std::string what = e.what();
    const std::string prefix = file.name() + ": ";
    REQUIRE(what.substr(0, prefix.size()) == prefix);
    return what.substr(prefix.size());
  }
  FAIL("no DataError for: " << content);
  return {};
}

}  // namespace

// ---- reading --------------------------------------------------------------------------

TEST_CASE("requested columns come back in request order; the header keeps file order") {
  const CsvTable t = read("id,extra,score,y\nA,x,0.25,1\nB,y,0.5,0\nA,z,1e-3,0\n");
  CHECK(t.rows == 3);
  CHECK(t.header == std::vector<std::string>{"id", "extra", "score", "y"});
  REQUIRE(t.columns.size() == 3);
  CHECK(t.columns[0].name == "y");
  CHECK(t.columns[0].kind == CsvColumnKind::numeric);
  CHECK(t.columns[0].numbers == std::vector<double>{1, 0, 0});
  CHECK(t.columns[1].numbers == std::vector<double>{0.25, 0.5, 0.001});
  CHECK(t.columns[2].name == "id");
  CHECK(t.columns[2].kind == CsvColumnKind::text);
  CHECK(t.columns[2].codes == std::vector<std::uint32_t>{0, 1, 0});
  CHECK(t.columns[2].dictionary == std::vector<std::string>{"A", "B"});
}

TEST_CASE("quoted fields: commas, escaped quotes, line breaks; CRLF; BOM; no final newline") {
  const std::string content =
      "\xEF\xBB\xBF" "y,score,id\r\n"
      "1,0.5,\"Smith, \"\"J\"\"\"\r\n"
      "0,\"0.25\",\"two\r\nlines\"\r\n"
      "1,0.75,\"\"\"\"\r\n"
      "1,\"1\",plain";
  const CsvTable t = read(content, {{"y"}, {"score"}, {"id", CsvColumnKind::text}});
  CHECK(t.rows == 4);
  CHECK(t.header == std::vector<std::string>{"y", "score", "id"});  // no BOM in "y"
  CHECK(t.columns[1].numbers == std::vector<double>{0.5, 0.25, 0.75, 1});
  CHECK(t.columns[2].dictionary == std::vector<std::string>{"Smith, \"J\"", "two\r\nlines", "\"", "plain"});
  CHECK(t.sha256 == sha256_hex(content));  // the BOM is hashed: the digest is of the file
}

TEST_CASE("the hash is of the exact file bytes") {
  const std::string content = "y,score,id\n1,0.5,a\n\n";
  CHECK(read(content).sha256 == sha256_hex(content));
  CHECK(read(content).sha256 != read("y,score,id\n1,0.5,a\n").sha256);  // the blank line counts
}

TEST_CASE("line ends: CRLF, LF, a final line without one, a final CR") {
  for (const std::string& content : {std::string("y,score,id\r\n1,0.5,a\r\n0,0.25,b\r\n"),
                                     std::string("y,score,id\n1,0.5,a\n0,0.25,b"),
                                     std::string("y,score,id\r\n1,0.5,a\r\n0,0.25,b\r"),
                                     std::string("y,score,id\n1,0.5,a\n0,0.25,\"b\"")}) {
    CAPTURE(content);
    const CsvTable t = read(content);
    CHECK(t.rows == 2);
    CHECK(t.columns[1].numbers == std::vector<double>{0.5, 0.25});
    CHECK(t.columns[2].dictionary == std::vector<std::string>{"a", "b"});
  }
}

TEST_CASE("blank lines at the end are ignored, and zero data rows are allowed") {
  CHECK(read("y,score,id\n1,0.5,a\n\n\n").rows == 1);
  CHECK(read("y,score,id\r\n1,0.5,a\r\n\r\n").rows == 1);
  CHECK(read("y,score,id\n").rows == 0);
  CHECK(read("y,score,id").rows == 0);
  const CsvTable t = read("y,score,id\n\n");
  CHECK(t.rows == 0);
  CHECK(t.columns[0].numbers.empty());
  CHECK(t.columns[2].dictionary.empty());
}

TEST_CASE("a trailing empty field at end of file is a field") {
  const CsvTable t = read("y,score,id\n1,0.5,", {{"y"}, {"id", CsvColumnKind::text, true}});
  CHECK(t.rows == 1);
  CHECK(t.columns[1].dictionary == std::vector<std::string>{""});
}

TEST_CASE("numeric cells: blanks trimmed outside quotes, '+', exponents, underflow to zero") {
  const CsvTable t = read(
      "y,score,id\n"
      " 1\t,  -2.5e3 ,a\n"
      "+0.5,.5,a\n"
      "-0,5.,a\n"
      "1e-400,-1e-400,a\n"
      "4.9e-324,1.7976931348623157e308,a\n");
  CHECK(t.columns[0].numbers[0] == 1);
  CHECK(t.columns[1].numbers[0] == -2500);
  CHECK(t.columns[0].numbers[1] == 0.5);
  CHECK(t.columns[1].numbers[1] == 0.5);
  CHECK(std::signbit(t.columns[0].numbers[2]));
  CHECK(t.columns[1].numbers[2] == 5);
  CHECK(t.columns[0].numbers[3] == 0.0);  // as strtod rounds a too-small number
  CHECK(!std::signbit(t.columns[0].numbers[3]));
  CHECK(std::signbit(t.columns[1].numbers[3]));
  CHECK(t.columns[0].numbers[4] > 0.0);  // the smallest subnormal survives
  CHECK(t.columns[1].numbers[4] == 1.7976931348623157e308);
}

TEST_CASE("text cells are kept verbatim and coded in first-seen order") {
  const CsvTable t = read(
      "y,score,id\n"
      "1,0.5, b \n"
      "1,0.5,a\n"
      "1,0.5, b \n"
      "1,0.5,\"a\"\n"
      "1,0.5,caf\xC3\xA9\n"
      "1,0.5,\xF0\x9F\x98\x80\n");
  CHECK(t.columns[2].dictionary == std::vector<std::string>{" b ", "a", "caf\xC3\xA9", "\xF0\x9F\x98\x80"});
  CHECK(t.columns[2].codes == std::vector<std::uint32_t>{0, 1, 0, 1, 2, 3});
}

TEST_CASE("allow_missing turns an empty text cell into the empty string") {
  const Requests requests = {{"y"}, {"group", CsvColumnKind::text, true}};
  const CsvTable t = read("y,group\n1,\n0,a\n1,\"\"\n", requests);
  CHECK(t.columns[1].dictionary == std::vector<std::string>{"", "a"});
  CHECK(t.columns[1].codes == std::vector<std::uint32_t>{0, 1, 0});
}

TEST_CASE("columns that are not requested are not checked") {
  const CsvTable t = read("y,score,id,notes,notes\n1,0.5,a,\xFF not a number,x\n");
  CHECK(t.rows == 1);  // bad UTF-8 and a repeated name, in columns nobody asked for
  CHECK(read("y\n1\n2\n", {}).rows == 2);
  CHECK(read("y\n1\n2\n", {}).columns.empty());
}

TEST_CASE("a column may be requested twice, as number and as text") {
  const CsvTable t = read("y\n1\n2\n1\n", {{"y"}, {"y", CsvColumnKind::text}});
  CHECK(t.columns[0].numbers == std::vector<double>{1, 2, 1});
  CHECK(t.columns[1].dictionary == std::vector<std::string>{"1", "2"});
  CHECK(t.columns[1].codes == std::vector<std::uint32_t>{0, 1, 0});
}

TEST_CASE("quoted header names are unescaped like any field") {
  const CsvTable t = read("\"y\",\"the \"\"score\"\"\",\"id,x\"\n1,0.5,a\n",
                          {{"the \"score\""}, {"id,x", CsvColumnKind::text}});
  CHECK(t.columns[0].numbers == std::vector<double>{0.5});
  CHECK(t.columns[1].dictionary == std::vector<std::string>{"a"});
}

TEST_CASE("records that span chunks parse the same as small ones") {
  // ~3 MB of mixed constructs, so the 1 MiB chunk edges fall inside quoted fields, ""
  // pairs, CRLF pairs and numbers, wherever the random stream puts them.
  std::mt19937 rng(7);
  std::string content = "\xEF\xBB\xBFid,y,score\r\n";
  std::vector<double> scores;
  std::vector<std::string> ids;
  while (content.size() < 3'000'000) {
    const unsigned kind = rng() % 4;
    std::string id = "c" + std::to_string(rng() % 500);
    std::string cell = id;
    if (kind == 1) id += ",\"x\"";
    if (kind == 2) id += "\r\nnext";
    if (kind != 0) {
      cell.clear();
      for (const char c : id) cell += c == '"' ? std::string("\"\"") : std::string(1, c);
      cell = "\"" + cell + "\"";
    }
    // Both this division and the parse round k/1000 correctly, so they agree exactly.
    const double score = static_cast<double>(rng() % 100000) / 1000.0;
    content += cell + "," + std::to_string(rng() % 2) + "," + std::to_string(score) + (kind == 3 ? "\n" : "\r\n");
    ids.push_back(id);
    scores.push_back(score);
  }
  TempCsv file(content);
  const CsvTable t = read_csv(file.path(), Requests{{"score"}, {"id", CsvColumnKind::text}});
  REQUIRE(t.rows == scores.size());
  CHECK(t.columns[0].numbers == scores);
  bool all_equal = true;
  for (std::size_t r = 0; r < ids.size(); ++r) all_equal = all_equal && t.columns[1].dictionary[t.columns[1].codes[r]] == ids[r];
  CHECK(all_equal);
  CHECK(t.sha256 == sha256_hex(content));
}

// ---- errors ---------------------------------------------------------------------------

TEST_CASE("an empty file, a bare BOM or only blank lines has no header") {
  CHECK(data_error_message("") == "empty file, expected a header row");
  CHECK(data_error_message("\xEF\xBB\xBF") == "empty file, expected a header row");
  check_data_error("\n\r\n\n", {"only blank lines, expected a header row"});
  check_data_error("\ny,score,id\n1,0.5,a\n", {"line 1: empty line before the header row"});
}

TEST_CASE("a missing column gets a did-you-mean") {
  CHECK(data_error_message("y,score,id\n1,0.5,a\n", {{"y"}, {"scroe"}}) ==
        "no column \"scroe\" in the header (did you mean \"score\"?)");
  check_data_error("y,score\n1,0.5\n", {"no column \"id\" in the header"});
}

TEST_CASE("a missing column with nothing close lists the header, at most 10 names") {
  CHECK(data_error_message("a,b,c\n1,2,3\n", {{"a"}, {"label"}}) ==
        "no column \"label\" in the header; the header has \"a\", \"b\", \"c\"");
  std::string header = "c0";
  for (int i = 1; i < 25; ++i) header += ",c" + std::to_string(i);
  const std::string message = data_error_message(header + "\n", {{"c3"}, {"label"}});
  CHECK(contains(message, "\"c0\", \"c1\""));
  CHECK(contains(message, "\"c9\" and 15 more"));
  CHECK(!contains(message, "\"c10\""));
}

TEST_CASE("a first line with none of the columns asked for is not shown: it may be data") {
  // A file without a header row: its first line is a record, and its cells are data.
  const std::string message = data_error_message("1,0.93,SECRET-4242\n0,0.12,b\n", {{"y"}, {"score"}, {"SECRET-424"}});
  CHECK(message == "no column \"y\" in the header; the first line holds none of the columns asked for: is it the "
                   "right file, and does it have a header row?");
  CHECK(!contains(data_error_message("1,0.93,a\n", {{"y"}}), "\"1\""));  // no did-you-mean "1" either
}

TEST_CASE("header names in a message are escaped and cut to 64 characters") {
  const std::string long_name(100, 'n');
  const std::string message = data_error_message("y,\x1b[31mred\\,\"q\"\"x\"," + long_name + "\n", {{"y"}, {"label"}});
  CHECK(contains(message, "\"y\", \"\\x1b[31mred\\\\\", \"q\\\"x\", \"" + std::string(64, 'n') + "...\""));
  CHECK(!contains(message, "\x1b"));
}

TEST_CASE("a bidirectional override in a header name is escaped in a message (found by fuzz_csv_reader)") {
  // U+202E (RIGHT-TO-LEFT OVERRIDE) would make a terminal or log viewer show the rest of the
  // line reversed; common/quoted.hpp escapes it, and so must the reader's own quoting.
  const std::string message = data_error_message("y,lat\xE2\x80\xAEms\n", {{"y"}, {"label"}});
  CHECK(contains(message, "\"lat\\xe2\\x80\\xaems\""));
  CHECK(!contains(message, "\xE2\x80\xAE"));
}

TEST_CASE("a requested name that appears twice in the header is ambiguous") {
  check_data_error("y,score,score,id\n1,0.5,0.6,a\n", {"column \"score\" appears 2 times in the header (columns 2 and 3)"});
}

TEST_CASE("a header name that is not valid UTF-8 is named by its position") {
  CHECK(data_error_message("y,sc\xFFore,id\n1,0.5,a\n") == "header (line 1), column 2: the name is not valid UTF-8");
}

TEST_CASE("a row with the wrong number of fields") {
  CHECK(data_error_message("y,score,id\n1,0.5,a\n1,0.5\n") ==
        "row 2 (line 3): expected 3 fields, as in the header, but found 2");
  check_data_error("y,score,id\n1,0.5,a,extra\n", {"row 1 (line 2)", "expected 3 fields", "found 4"});
  check_data_error("y,score,id\n \n", {"row 1 (line 2)", "expected 3 fields", "found 1"});  // not blank
  // Fields past the header's count are counted, not kept.
  check_data_error("y,score,id\n1,0.5,a" + std::string(100000, ',') + "\n", {"row 1 (line 2)", "found 100003"});
  check_data_error("y,score,id\n1,0.5,a,\"b\nc\",\"d\n", {"column 5: the quoted field that starts on line 3"});
}

TEST_CASE("an empty line between rows") {
  CHECK(data_error_message("y,score,id\n1,0.5,a\n\n0,0.5,b\n") ==
        "row 2 (line 3): empty line (blank lines are allowed only at the end of the file)");
  check_data_error("y,score,id\r\n\r\n1,0.5,a\r\n", {"row 1 (line 2): empty line"});
}

TEST_CASE("an unterminated quote names the line where the field started") {
  // Row 2 starts on line 3; its score spans lines 3-4, so the open id starts on line 4.
  CHECK(data_error_message("y,score,id\n1,0.5,a\n0,\"0.\n5\",\"open\nstill open\n") ==
        "row 2 (line 3), column \"id\": the quoted field that starts on line 4 is never closed");
  check_data_error("\"y,score,id\n", {"header (line 1)", "starts on line 1 is never closed"});
}

TEST_CASE("quotes in the wrong place") {
  check_data_error("y,score,id\n1,0.5,a\"b\n", {"row 1 (line 2), column \"id\"", "a quote inside an unquoted field"});
  check_data_error("y,score,id\n1,0.5,\"a\"b\n", {"row 1 (line 2), column \"id\"", "text after the closing quote"});
  check_data_error("y,score,id\n1,\"0.5\" ,a\n", {"column \"score\"", "text after the closing quote"});
}

TEST_CASE("a carriage return that does not end a line") {
  check_data_error("y,score,id\n1,0.5\r,a\n", {"row 1 (line 2), column \"score\"", "carriage return not followed by a line feed"});
}

TEST_CASE("a missing numeric value names file, row, line and column") {
  std::string content = "x,y\n";
  for (int i = 0; i < 16; ++i) content += "1,2\n";
  content += "1,\n";
  CHECK(data_error_message(content, {{"x"}, {"y"}}) == "row 17 (line 18), column \"y\": missing value");
  check_data_error("y,score,id\n1,  \t ,a\n", {"row 1 (line 2), column \"score\": missing value"});
  check_data_error("y,score,id\n1,\"\",a\n", {"column \"score\": missing value"});
}

TEST_CASE("cells that are not numbers: the message says so, and never shows the cell") {
  CHECK(data_error_message("y,score,id\n1,abc,a\n") == "row 1 (line 2), column \"score\": the value is not a number");
  CHECK(data_error_message("y,score,id\nNA,0.5,a\n") == "row 1 (line 2), column \"y\": the value is not a number");
  for (const char* cell : {"0.5x", "1e", "0x10", "+-1", "1 2", "\" 0.25\"", "\"a\nb\"", "SECRET-4242"}) {
    CAPTURE(cell);  // " 0.25" in quotes: quotes keep blanks
    const std::string message = data_error_message(std::string("y,score,id\n1,") + cell + ",a\n");
    CHECK(message == "row 1 (line 2), column \"score\": the value is not a number");
  }
}

TEST_CASE("non-finite numbers are refused") {
  for (const char* cell : {"nan", "NaN", "inf", "-Infinity", "1e999", "-1e999"}) {
    CAPTURE(cell);
    CHECK(data_error_message(std::string("y,score,id\n1,0.5,a\n1,") + cell + ",a\n") ==
          "row 2 (line 3), column \"score\": the value is not a finite number");
  }
}

TEST_CASE("a missing text value") {
  check_data_error("y,score,id\n1,0.5,\n", {"row 1 (line 2), column \"id\": missing value"});
  check_data_error("y,score,id\n1,0.5,a\n1,0.5,\"\"\n", {"row 2 (line 3), column \"id\": missing value"});
}

TEST_CASE("text cells must be valid UTF-8") {
  CHECK(data_error_message("y,score,id\n1,0.5,SECRET\xFF\xFE\n") ==
        "row 1 (line 2), column \"id\": the value is not valid UTF-8");
  check_data_error("y,score,id\n1,0.5,a\n1,0.5,\xC0\xAF\n", {"row 2 (line 3)", "not valid UTF-8"});  // overlong
  check_data_error("y,score,id\n1,0.5,\xED\xA0\x80\n", {"column \"id\"", "not valid UTF-8"});  // a surrogate
  check_data_error("y,score,id\n1,0.5,caf\xC3\n", {"column \"id\"", "not valid UTF-8"});  // cut short
}

TEST_CASE("row and line differ after a record with line breaks") {
  check_data_error("y,score,id\n1,0.5,\"a\nb\nc\"\n0,oops,d\n", {"row 2 (line 5), column \"score\": the value is not a number"});
}

TEST_CASE("files that cannot be opened are I/O errors") {
  const Requests requests = kRequests;
  const std::filesystem::path missing = std::filesystem::temp_directory_path() / "referee-no-such-dir/eval.csv";
  check_error<IoError>(missing, requests, {"cannot open: No such file or directory"});
  check_error<IoError>(std::filesystem::temp_directory_path(), requests, {"is not a regular file (a directory)"});
  check_error<IoError>("/dev/zero", requests, {"is not a regular file (a device)"});
  if (::geteuid() != 0) {  // root reads files whatever their mode
    TempCsv file("y,score,id\n");
    std::filesystem::permissions(file.path(), std::filesystem::perms::none);
    check_error<IoError>(file.path(), requests, {"cannot open: Permission denied"});
  }
}

TEST_CASE("a text cell's number is read as a numeric column reads it") {
  // The drift check types text features with cell_number: a cell is numeric exactly when a
  // numeric column would accept it, with the same value.
  CHECK(cell_number(" 0.5\t") == 0.5);
  CHECK(cell_number("+2") == 2.0);
  CHECK(cell_number("1e-400") == 0.0);  // underflow reads as zero, as strtod rounds it
  CHECK(cell_number("-1e-400") == 0.0);
  CHECK(std::signbit(*cell_number("-1e-400")));
  for (const char* text : {"", "  ", "abc", "1e400", "inf", "nan", "+-1", "0.5x", "++1"})
    CHECK_MESSAGE(!cell_number(text), "\"" << text << "\" should not be a number");
  TempCsv file("x\n 0.5\t\n+2\n1e-400\n");
  const std::vector<CsvColumnRequest> requests{{"x"}};
  const CsvTable t = read_csv(file.path(), requests);
  CHECK(t.columns[0].numbers == std::vector<double>{*cell_number(" 0.5\t"), *cell_number("+2"), *cell_number("1e-400")});
}

// ---- caps ----------------------------------------------------------------------------

namespace {

Limits field_and_record_caps(std::uint64_t field, std::uint64_t record) {
  Limits limits;
  set_limit(limits, "max_field_bytes", field);
  set_limit(limits, "max_record_bytes", record);
  return limits;
}

}  // namespace

TEST_CASE("a field may be as long as max_field_bytes, and not one byte longer") {
  const Limits limits = field_and_record_caps(8, 1000);
  const Requests requests = {{"y"}, {"id", CsvColumnKind::text}};
  TempCsv fits("y,id\n1,12345678\n1,\"1234\"\"678\"\n");
  const CsvTable t = read_csv(fits.path(), requests, limits);
  CHECK(t.columns[1].dictionary == std::vector<std::string>{"12345678", "1234\"678"});  // unescaped bytes count
  CHECK(data_error_message("y,id\n1,123456789\n", requests, limits) ==
        "row 1 (line 2), column \"id\": the field is longer than max_field_bytes = 8 (raise it with --limit "
        "max_field_bytes=N)");
  CHECK(contains(data_error_message("y,id\n1,\"12345\"\"6789\"\n", requests, limits), "column \"id\": the field is longer"));
  CHECK(contains(data_error_message("y,idxxxxxxx\n", requests, limits), "header (line 1), column 2: the field is longer"));
  // A column nobody asked for is held to the cap too: every field is buffered while read.
  CHECK(contains(data_error_message("y,id,notes\n1,a,123456789\n", requests, limits), "column \"notes\": the field"));
}

TEST_CASE("a record may be as long as max_record_bytes, its line end not counted") {
  const Limits limits = field_and_record_caps(100, 10);
  const Requests requests = {{"y"}, {"id", CsvColumnKind::text}};
  TempCsv fits("y,id\r\n1,\"abcdef\"\r\n1,abcdefgh\n");  // 1,"abcdef" and 1,abcdefgh: 10 bytes each
  CHECK(read_csv(fits.path(), requests, limits).rows == 2);
  CHECK(data_error_message("y,id\n1,\"abcdefg\"\n", requests, limits) ==
        "row 1 (line 2): the record is longer than max_record_bytes = 10 (raise it with --limit max_record_bytes=N)");
  CHECK(contains(data_error_message("y,id\n1,abcdefghi\n", requests, limits), "row 1 (line 2): the record is longer"));
  CHECK(contains(data_error_message("y,id\n1," + std::string(20, ',') + "\n", requests, limits), "the record is longer"));
  CHECK(contains(data_error_message("y,id\n1,\"a\n\nb\"\"\"\"\"\"\"\n", requests, limits), "row 1 (line 2): the record"));
}

TEST_CASE("an unclosed quote or a file without line ends fails at the cap, not at the end of the file") {
  // 6 MB after the cap: a reader that buffered to the end would report the quote instead.
  const Limits limits = field_and_record_caps(std::uint64_t{1} << 20, std::uint64_t{2} << 20);
  const Requests requests = {{"y"}, {"id", CsvColumnKind::text}};
  CHECK(data_error_message("y,id\n1,\"" + std::string(6'000'000, 'x'), requests, limits) ==
        "row 1 (line 2), column \"id\": the field is longer than max_field_bytes = 1048576 (raise it with --limit "
        "max_field_bytes=N)");
  CHECK(contains(data_error_message("y,id\n1," + std::string(6'000'000, 'x'), requests, limits), "the field is longer"));
  std::string fields;  // a header row of 750,000 names
  while (fields.size() < 6'000'000) fields += "1234567,";
  CHECK(contains(data_error_message(fields, requests, limits), "header (line 1): the record is longer"));
}

TEST_CASE("the caps hold across chunk edges, exactly") {
  // The reader reads 1 MiB chunks; a field of 2.5 MiB spans three of them.
  const std::uint64_t cap = 2'621'440;
  const Limits limits = field_and_record_caps(cap, 2 * cap);
  const Requests requests = {{"y"}, {"id", CsvColumnKind::text}};
  for (const bool quoted : {false, true}) {
    CAPTURE(quoted);
    const std::string q = quoted ? "\"" : "";
    const std::string head = "y,id\n1," + q;
    TempCsv fits(head + std::string(cap, 'x') + q + "\n");
    CHECK(read_csv(fits.path(), requests, limits).columns[1].dictionary[0].size() == cap);
    CHECK(contains(data_error_message(head + std::string(cap + 1, 'x') + q + "\n", requests, limits),
                   "the field is longer than max_field_bytes = 2621440"));
  }
}

TEST_CASE("the defaults are 1 MiB a field and 16 MiB a record") {
  const Requests requests = {{"y"}, {"id", CsvColumnKind::text}};
  CHECK(read("y,id\n1," + std::string(std::size_t{1} << 20, 'x') + "\n", requests).rows == 1);
  CHECK(contains(data_error_message("y,id\n1," + std::string((std::size_t{1} << 20) + 1, 'x') + "\n", requests),
                 "max_field_bytes = 1048576"));
}
