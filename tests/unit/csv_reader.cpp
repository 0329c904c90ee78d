#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <referee/csv_reader.hpp>
#include <referee/error.hpp>
#include <referee/sha256.hpp>
#include <referee/table.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

// A CSV file in the temp directory, removed when the test ends.
class TempCsv {
 public:
  explicit TempCsv(const std::string& content) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("referee-csv-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".csv");
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempCsv() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string name() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

const std::vector<CsvColumnRequest> kRequests = {
    {"y"}, {"score"}, {"id", CsvColumnKind::text}};

CsvTable read(const std::string& content) {
  TempCsv f(content);
  return read_csv(f.path(), kRequests);
}

void data_error(const std::string& content, std::initializer_list<std::string> fragments) {
  TempCsv f(content);
  std::vector<std::string> all(fragments);
  all.push_back(f.name());
  bool thrown = false;
  try {
    read_csv(f.path(), kRequests);
  } catch (const DataError& e) {
    thrown = true;
    const std::string what = e.what();
    for (const auto& fragment : all)
      CHECK_MESSAGE(what.find(fragment) != std::string::npos, "\"" << what << "\" lacks \"" << fragment << "\"");
  }
  CHECK_MESSAGE(thrown, "no DataError for: " << content);
}

}  // namespace

TEST_CASE("a plain CSV is read into requested columns, in request order") {
  const CsvTable t = read("id,extra,score,y\nA,x,0.25,1\nB,y,0.5,0\nA,z,1e-3,0\n");
  CHECK(t.rows == 3);
  CHECK(t.header == std::vector<std::string>{"id", "extra", "score", "y"});
  CHECK(t.columns[0].numbers == std::vector<double>{1, 0, 0});
  CHECK(t.columns[1].numbers == std::vector<double>{0.25, 0.5, 0.001});
  CHECK(t.columns[2].codes == std::vector<std::uint32_t>{0, 1, 0});
  CHECK(t.columns[2].dictionary == std::vector<std::string>{"A", "B"});
}

TEST_CASE("quotes, escaped quotes, embedded commas and line breaks, CRLF, BOM, no final newline") {
  const std::string content =
      "\xEF\xBB\xBFy,score,id\r\n1,0.5,\"Smith, \"\"J\"\"\"\r\n0,\" 0.25 \",\"two\nlines\"\r\n1,0.75,plain";
  const CsvTable t = read(content);
  CHECK(t.rows == 3);
  CHECK(t.header[0] == "y");  // the BOM is not part of the first name
  CHECK(t.columns[1].numbers == std::vector<double>{0.5, 0.25, 0.75});
  CHECK(t.columns[2].dictionary == std::vector<std::string>{"Smith, \"J\"", "two\nlines", "plain"});
  CHECK(t.sha256 == sha256_hex(content));  // the hash covers the exact bytes, BOM included
}

TEST_CASE("trailing blank lines are ignored") {
  CHECK(read("y,score,id\n1,0.5,a\n\n\n").rows == 1);
}

TEST_CASE("a header with no data rows gives zero rows") {
  CHECK(read("y,score,id\n").rows == 0);
}

TEST_CASE("malformed CSV files name the file, row, line and column") {
  data_error("", {"empty file"});
  data_error("y,score\n1,0.5\n", {"no column \"id\""});
  data_error("y,scroe,id\n1,0.5,a\n", {"no column \"score\"", "did you mean \"scroe\""});
  data_error("y,score,id\n1,abc,a\n", {"row 1 (line 2)", "column \"score\"", "\"abc\" is not a number"});
  data_error("y,score,id\n1,0.5,a\n0,,b\n", {"row 2 (line 3)", "column \"score\"", "missing value"});
  data_error("y,score,id\n1,0.5,\n", {"column \"id\"", "missing value"});
  data_error("y,score,id\n1,nan,a\n", {"column \"score\"", "\"nan\""});
  data_error("y,score,id\n1,inf,a\n", {"column \"score\"", "\"inf\""});
  data_error("y,score,id\n1,1e999,a\n", {"column \"score\"", "1e999"});
  data_error("y,score,id\n1,0.5\n", {"row 1 (line 2)", "expected 3 fields, found 2"});
  data_error("y,score,id\n1,0.5,a,extra\n", {"expected 3 fields, found 4"});
  data_error("y,score,id\n1,0.5,a\n\"0,0.5,b\n", {"line 3", "never closed"});
  data_error("y,score,id\n1,0.5,a\n\n0,0.5,b\n", {"row 2 (line 3)", "empty line"});
  data_error("y,score,id\n1,0.5,\xff\xfe\n", {"column \"id\"", "UTF-8"});
  data_error("y,score,id\n1,0.5,\"a\"b\n", {"line 2", "after a closing quote"});
  data_error("y,score,id\n1,0.5,a\"b\n", {"line 2", "quote inside an unquoted field"});
  data_error("y,score,score,id\n1,0.5,0.6,a\n", {"\"score\" appears 2 times"});
  data_error("y,score,id\n1,0.5x,a\n", {"\"0.5x\" is not a number"});
}

TEST_CASE("an unreadable path is an I/O error") {
  check_error<IoError>([] { read_csv("/nonexistent/eval.csv", kRequests); },
                       {"/nonexistent/eval.csv", "cannot open"});
  check_error<IoError>([] { read_csv(std::filesystem::temp_directory_path(), kRequests); },
                       {"directory"});
}

TEST_CASE("reading a table validates labels, scores and weights against the task") {
  const ColumnNames names{"y", "score", "other", "w", ""};
  auto table_error = [&](const std::string& content, Task task, std::initializer_list<std::string> fragments) {
    TempCsv f(content);
    check_error<DataError>([&] { read_table_csv(f.path(), names, task); }, fragments);
  };
  table_error("y,score,other,w\n1,0.5,0.5,1\n2,0.5,0.5,1\n", Task::binary,
              {"row 2", "column \"y\"", "label 2 is not 0 or 1"});
  table_error("y,score,other,w\n1,1.5,0.5,1\n", Task::binary, {"row 1", "column \"score\"", "outside [0, 1]"});
  table_error("y,score,other,w\n1,0.5,0.5,-2\n", Task::binary, {"column \"w\"", "cannot be negative"});
  table_error("y,score,other,w\n1,0.5,0.5,0\n", Task::binary, {"weights sum to zero"});
  table_error("y,score,other,w\n", Task::binary, {"no data rows"});
  TempCsv ok("y,score,other,w\n7.5,-3,2,1\n");
  CHECK(read_table_csv(ok.path(), names, Task::regression).rows == 1);  // any finite value
}

TEST_CASE("a 200k-row file streams through in chunks with the right hash") {
  std::string content = "id,y,score\n";
  for (int i = 0; i < 200000; ++i)
    content += "c" + std::to_string(i % 977) + "," + std::to_string(i % 2) + ",0." + std::to_string(i % 1000) + "\n";
  TempCsv f(content);
  const CsvTable t = read_csv(f.path(), kRequests);
  CHECK(t.rows == 200000);
  CHECK(t.columns[2].dictionary.size() == 977);
  CHECK(t.sha256 == sha256_hex(content));
}
