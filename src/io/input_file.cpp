#include "io/input_file.hpp"

#include "common/limit_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <referee/error.hpp>
#include <referee/limits.hpp>

namespace referee {

namespace {

// What a file that is not regular is, for "is not a regular file (a FIFO)".
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

IoError not_regular(const std::string& path, mode_t mode) {
  return IoError(path + ": is not a regular file (" + kind_of(mode) + ")");
}

IoError system_error(const std::string& path, const std::string& doing, int error) {
  return IoError(path + ": " + doing + ": " + std::strerror(error));
}

}  // namespace

InputFile::InputFile(const std::filesystem::path& path, std::string_view what) : path_(path.string()) {
  const std::string doing = what.empty() ? "cannot open" : "cannot open the " + std::string(what);
  // Asked first so that a device node is never opened at all (opening some has effects);
  // asked again of the open descriptor below, which is what counts.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) throw not_regular(path_, st.st_mode);
  // O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) throw system_error(path_, doing, errno);
  const auto fail = [this](IoError error) {
    ::close(fd_);
    fd_ = -1;
    throw std::move(error);
  };
  if (::fstat(fd_, &st) != 0) fail(system_error(path_, doing, errno));
  if (!S_ISREG(st.st_mode)) fail(not_regular(path_, st.st_mode));
  // A regular file never blocks, but reads should not see EAGAIN either way.
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK) != 0) fail(system_error(path_, doing, errno));
  size_ = static_cast<std::uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

InputFile::InputFile(InputFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

std::size_t InputFile::read(std::span<char> buffer) {
  for (;;) {
    const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw system_error(path_, "cannot read", errno);
  }
}

std::string read_small_file(const std::filesystem::path& path, const Limits& limits, std::string_view what,
                            std::string_view cap_name) {
  InputFile file(path, what);
  const std::uint64_t cap = limit_value(limits, cap_name);
  const auto too_large = [&] {
    return PolicyError(file.path() + ": the " + std::string(what) + " is larger than " +
                       limit_text(limits, cap_name));
  };
  if (file.size() > cap) throw too_large();
  std::string text;
  text.resize(static_cast<std::size_t>(file.size()) + 1);  // + 1: room to see a file that grew
  std::size_t used = 0;
  for (;;) {
    if (used == text.size()) {
      if (used > cap) throw too_large();
      text.resize(static_cast<std::size_t>(std::min<std::uint64_t>(cap + 1, std::uint64_t{used} * 2 + 4096)));
    }
    const std::size_t n = file.read(std::span<char>(text).subspan(used));
    if (n == 0) break;
    used += n;
  }
  if (used > cap) throw too_large();
  text.resize(used);
  return text;
}


}  // namespace referee
