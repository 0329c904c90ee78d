#include <doctest/doctest.h>

#include <string>

#include <referee/error.hpp>
#include <referee/table.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

using TempTableCsv = referee_test::TempFile;

TEST_CASE("reading a table validates labels, scores and weights against the task") {
  const ColumnNames names = role_columns("y", "score", "other", "w");
  auto table_error = [&](const std::string& content, Task task, std::initializer_list<std::string> fragments) {
    TempTableCsv f(content);
    check_error<DataError>([&] { read_table_csv(f.path(), names, task); }, fragments);
  };
  table_error("y,score,other,w\n1,0.5,0.5,1\n2,0.5,0.5,1\n", Task::binary,
              {"row 2", "column \"y\"", "the label is not 0 or 1"});
  table_error("y,score,other,w\n1,1.5,0.5,1\n", Task::binary, {"row 1", "column \"score\"", "outside [0, 1]"});
  table_error("y,score,other,w\n1,0.5,0.5,-2\n", Task::binary, {"column \"w\"", "cannot be negative"});
  table_error("y,score,other,w\n1,0.5,0.5,0\n", Task::binary, {"weights sum to zero"});
  table_error("y,score,other,w\n", Task::binary, {"no data rows"});
  TempTableCsv ok("y,score,other,w\n7.5,-3,2,1\n");
  CHECK(read_table_csv(ok.path(), names, Task::regression).rows == 1);  // any finite value
}
