// Inputs are read only from regular files, and small texts only up to their cap; outputs
// are written only under theirs (io/input_file, io/atomic_file).

#include <doctest/doctest.h>
#include "common/limit_text.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include <referee/error.hpp>
#include <referee/limits.hpp>
#include "io/atomic_file.hpp"
#include "io/input_file.hpp"

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;
using referee_test::TempFile;

namespace {

// A scratch directory, removed when the test ends.
class TempDirectory {
 public:
  TempDirectory() {
    path_ = std::filesystem::temp_directory_path() / ("referee-input-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  ~TempDirectory() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

std::string read_all(InputFile& file) {
  std::string out;
  std::array<char, 3> buffer{};  // small, so the loop runs several times
  while (const std::size_t n = file.read(buffer)) out.append(buffer.data(), n);
  return out;
}

Limits policy_cap(std::uint64_t bytes) {
  Limits limits;
  set_limit(limits, "max_policy_bytes", bytes);
  return limits;
}

}  // namespace

TEST_CASE("a regular file is read, through a symbolic link too") {
  TempFile file("abcdefgh", ".txt");
  InputFile opened(file.path());
  CHECK(opened.size() == 8);
  CHECK(opened.path() == file.name());
  CHECK(read_all(opened) == "abcdefgh");
  CHECK(opened.read(std::span<char>()) == 0);

  TempDirectory dir;
  std::filesystem::create_symlink(file.path(), dir / "link.csv");
  InputFile linked(dir / "link.csv");
  CHECK(read_all(linked) == "abcdefgh");
}

TEST_CASE("a file that is missing or unreadable names its path and the reason") {
  TempDirectory dir;
  check_error<IoError>([&] { InputFile f(dir / "absent.json", "policy file"); },
                       {(dir / "absent.json").string() + ": cannot open the policy file: No such file or directory"});
  check_error<IoError>([&] { InputFile f(dir / "absent.csv"); },
                       {(dir / "absent.csv").string() + ": cannot open: No such file or directory"});
  if (::geteuid() != 0) {  // root reads files whatever their mode
    TempFile file("x");
    std::filesystem::permissions(file.path(), std::filesystem::perms::none);
    check_error<IoError>([&] { InputFile f(file.path()); }, {"cannot open: Permission denied"});
  }
}

TEST_CASE("a FIFO with no writer is refused at once, not waited on") {
  TempDirectory dir;
  const std::filesystem::path fifo = dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto start = std::chrono::steady_clock::now();
  check_error<IoError>([&] { InputFile f(fifo); }, {fifo.string() + ": is not a regular file (a FIFO)"});
  check_error<IoError>([&] { read_small_file(fifo, Limits{}, "policy file"); }, {"is not a regular file (a FIFO)"});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("devices, directories and sockets are refused before a byte is read") {
  check_error<IoError>([] { InputFile f("/dev/zero"); }, {"/dev/zero: is not a regular file (a device)"});
  check_error<IoError>([] { InputFile f("/dev/null"); }, {"/dev/null: is not a regular file (a device)"});
  check_error<IoError>([] { read_small_file("/dev/zero", Limits{}, "policy file"); }, {"(a device)"});
  TempDirectory dir;
  check_error<IoError>([&] { InputFile f(dir.path()); }, {dir.path().string() + ": is not a regular file (a directory)"});

  const std::filesystem::path socket_path = dir / "s";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  REQUIRE(socket_path.string().size() < sizeof address.sun_path);
  socket_path.string().copy(address.sun_path, sizeof address.sun_path - 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  check_error<IoError>([&] { InputFile f(socket_path); }, {"is not a regular file (a socket)"});
  ::close(fd);
}

TEST_CASE("a small file is read whole up to max_policy_bytes, and not one byte more") {
  TempFile file("0123456789", ".json");
  CHECK(read_small_file(file.path(), policy_cap(10), "policy file") == "0123456789");
  CHECK(read_small_file(file.path(), Limits{}, "policy file") == "0123456789");
  check_error<PolicyError>([&] { read_small_file(file.path(), policy_cap(9), "cases file"); },
                           {file.name() + ": the cases file is larger than max_policy_bytes = 9 (raise it with "
                                          "--limit max_policy_bytes=N)"});
  TempFile empty("", ".json");
  CHECK(read_small_file(empty.path(), policy_cap(1), "policy file").empty());
}

TEST_CASE("the cap holds while reading, also for a file that reports no size") {
  // /proc files are regular files of size 0 whose content appears as they are read.
  const std::filesystem::path status = "/proc/self/status";
  if (!std::filesystem::exists(status)) return;
  CHECK(read_small_file(status, Limits{}, "policy file").find("Name:") == 0);
  check_error<PolicyError>([&] { read_small_file(status, policy_cap(16), "policy file"); },
                           {"is larger than max_policy_bytes = 16"});
}

TEST_CASE("limit_text names the cap, its value and how to raise it") {
  Limits limits;
  set_limit(limits, "max_rules", 12);
  CHECK(limit_text(limits, "max_rules") == "max_rules = 12 (raise it with --limit max_rules=N)");
  CHECK(limit_text(Limits{}, "max_field_bytes") == "max_field_bytes = 1048576 (raise it with --limit max_field_bytes=N)");
}

TEST_CASE("an output over max_report_bytes is refused before any output is written") {
  TempDirectory dir;
  Limits limits;
  set_limit(limits, "max_report_bytes", 10);
  OutputSet outputs;
  outputs.add("--report", dir / "report.json");
  outputs.add("--markdown", dir / "report.md");
  check_error<DataError>([&] { outputs.write_all({"0123456789", "0123456789x"}, limits); },
                         {"\"" + (dir / "report.md").string() + "\" (--markdown): the output would be 11 bytes, more "
                          "than max_report_bytes = 10 (raise it with --limit max_report_bytes=N); nothing was written"});
  CHECK(std::filesystem::is_empty(dir.path()));  // not even the first, which fits, nor a temporary file
  outputs.write_all({"0123456789", "abc"}, limits);
  CHECK(referee_test::read_text((dir / "report.json").string()) == "0123456789");

  check_error<DataError>([&] { write_file_atomically(dir / "other.json", "0123456789x", limits); },
                         {"other.json\" (output): the output would be 11 bytes"});
  CHECK(!std::filesystem::exists(dir / "other.json"));
}

TEST_CASE("a writer killed while it writes leaves no temporary file behind") {
  // A child writes 256 MiB and is killed with SIGKILL a few milliseconds in: no cleanup
  // code runs. Whenever the kill lands, the directory holds either nothing or the whole
  // output, never a temporary file (issue 14: "kill -9 during the write leaves the temp
  // file behind"). The content is written unnamed and only named once complete.
  TempDirectory dir;
  const std::filesystem::path destination = dir / "report.json";
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    Limits limits;
    set_limit(limits, "max_report_bytes", std::uint64_t{1} << 30);
    const std::string content(std::size_t{256} << 20, 'x');
    char go = 1;
    if (::write(ready[1], &go, 1) != 1) ::_exit(2);
    write_file_atomically(destination, content, limits);
    ::_exit(0);
  }
  char go = 0;
  REQUIRE(::read(ready[0], &go, 1) == 1);
  ::usleep(20'000);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path() == destination);
    CHECK(std::filesystem::file_size(entry.path()) == (std::size_t{256} << 20));
  }
}
