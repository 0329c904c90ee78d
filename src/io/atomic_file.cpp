#include "io/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include <referee/error.hpp>

namespace referee {

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path temp =
      path.string() + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  auto io_error = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    return IoError(path.string() + ": " + what + ": " + reason);
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error("cannot create");
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw io_error("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw io_error("cannot flush");
  }
  if (::close(fd) != 0) throw io_error("cannot close");
  if (std::rename(temp.c_str(), path.c_str()) != 0) throw io_error("cannot rename into place");
}

}  // namespace referee
