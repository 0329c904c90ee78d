#include "io/atomic_file.hpp"
#include "common/limit_text.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <referee/error.hpp>

#include "io/input_file.hpp"

namespace referee {

namespace {

std::string quoted(const std::filesystem::path& path) { return "\"" + path.string() + "\""; }

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

// 64 unpredictable bits, hex: a name another process cannot plant a link at in advance.
std::string random_suffix() {
  std::random_device device;
  const std::uint64_t bits = (std::uint64_t{device()} << 32) ^ device();
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(bits));
  return buffer;
}

IoError io_error(const std::filesystem::path& path, const std::string& what) {
  return IoError(path.string() + ": " + what + ": " + std::strerror(errno));
}

void write_all_bytes(int fd, std::string_view content, const std::filesystem::path& path) {
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error(path, "cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
}

// Opens an unnamed file in `directory` (O_TMPFILE): a process killed while it writes
// (kill -9, the OOM killer, a lost node) leaves nothing behind, since the file gets a name
// only once its content is complete and fsynced. -1 where the file system or kernel has no
// O_TMPFILE or no /proc (errno EOPNOTSUPP or EISDIR); the caller then stages under a name
// at once.
int open_unnamed(const std::filesystem::path& directory) {
#ifdef O_TMPFILE
  // The file is named later through /proc/self/fd; without /proc, stage under a name.
  if (::access("/proc/self/fd", X_OK) != 0) {
    errno = EOPNOTSUPP;
    return -1;
  }
  return ::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
#else
  (void)directory;
  errno = EOPNOTSUPP;
  return -1;
#endif
}

// A staged file: written and fsynced, unnamed where the system allows, then given an
// unpredictable temporary name beside its destination (link), then renamed over it
// (commit). Until committed, the destructor removes whatever was made.
class StagedFile {
 public:
  StagedFile(const std::filesystem::path& destination, std::string_view content) : destination_(destination) {
    fd_ = open_unnamed(directory_of(destination_));
    if (fd_ < 0) {
      if (errno != EOPNOTSUPP && errno != EISDIR) throw io_error(destination_, "cannot create a temporary file beside it");
      create_named();
    }
    write_all_bytes(fd_, content, destination_);
    if (::fsync(fd_) != 0) throw io_error(destination_, "cannot flush");
  }
  StagedFile(StagedFile&& other) noexcept
      : destination_(std::move(other.destination_)), temp_(std::move(other.temp_)), fd_(other.fd_),
        named_(other.named_) {
    other.fd_ = -1;
    other.named_ = false;
  }
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  StagedFile& operator=(StagedFile&&) = delete;
  ~StagedFile() {
    if (fd_ >= 0) ::close(fd_);
    if (named_) ::unlink(temp_.c_str());
  }

  // Gives the complete file its temporary name, exclusively: linkat fails rather than
  // follow or replace anything planted there.
  void link() {
    if (!named_) {
      temp_ = temporary_name();
      const std::string self = "/proc/self/fd/" + std::to_string(fd_);
      if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temp_.c_str(), AT_SYMLINK_FOLLOW) != 0)
        throw io_error(destination_, "cannot name the temporary file beside it");
      named_ = true;
    }
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) throw io_error(destination_, "cannot close");
  }

  void commit() {
    if (std::rename(temp_.c_str(), destination_.c_str()) != 0) throw io_error(destination_, "cannot rename into place");
    named_ = false;
    // The rename is durable once the directory's entry is.
    const int dir = ::open(directory_of(destination_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }

 private:
  std::filesystem::path temporary_name() const {
    return directory_of(destination_) / ("." + destination_.filename().string() + ".referee-" + random_suffix());
  }
  void create_named() {
    temp_ = temporary_name();
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd_ < 0) throw io_error(destination_, "cannot create a temporary file beside it");
    named_ = true;
  }

  std::filesystem::path destination_, temp_;
  int fd_ = -1;
  bool named_ = false;
};

// An output over the cap is refused before anything is written: a policy that asks for
// too much must not fill the disk, and the gate writes all its outputs or none.
void check_output_size(const std::filesystem::path& path, std::string_view what, std::string_view content,
                       const Limits& limits) {
  if (content.size() > limits.max_report_bytes)
    throw DataError(quoted(path) + " (" + std::string(what) + "): the output would be " +
                    std::to_string(content.size()) + " bytes, more than " + limit_text(limits, "max_report_bytes") +
                    "; nothing was written");
}

}  // namespace

void check_output_destination(const std::filesystem::path& path, std::string_view what) {
  if (path.empty()) throw IoError(std::string(what) + ": the output path is empty");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode))
      throw IoError(quoted(path) + " (" + std::string(what) + ") is a symbolic link; referee writes only a new "
                    "file or over a regular file");
    if (!S_ISREG(st.st_mode))
      throw IoError(quoted(path) + " (" + std::string(what) + ") is not a regular file; referee writes only a new "
                    "file or over a regular file");
  } else if (errno != ENOENT) {
    throw io_error(path, "cannot check the " + std::string(what) + " path");
  }
  const std::filesystem::path directory = directory_of(path);
  struct stat dir {};
  if (::stat(directory.c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode))
    throw IoError(quoted(path) + " (" + std::string(what) + "): the directory " + quoted(directory) +
                  " does not exist");
  if (::access(directory.c_str(), W_OK | X_OK) != 0)
    throw io_error(path, "the directory " + quoted(directory) + " is not writable");
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           const Limits& limits) {
  check_output_destination(path);
  check_output_size(path, "output", content, limits);
  StagedFile file(path, content);
  file.link();
  file.commit();
}

void OutputSet::add(std::string what, const std::filesystem::path& path) {
  check_output_destination(path, what);
  std::error_code ignored;
  const std::filesystem::path resolved = std::filesystem::weakly_canonical(path, ignored);
  for (const Output& o : outputs_)
    if (std::filesystem::weakly_canonical(o.path, ignored) == resolved)
      throw IoError(quoted(path) + " is given for both the " + o.what + " and the " + what + "; give each its own path");
  outputs_.push_back({std::move(what), path});
}

void OutputSet::write_all(const std::vector<std::string>& contents, const Limits& limits) const {
  for (std::size_t i = 0; i < outputs_.size(); ++i)
    check_output_size(outputs_[i].path, outputs_[i].what, contents[i], limits);
  std::vector<StagedFile> staged;
  staged.reserve(outputs_.size());
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    check_output_destination(outputs_[i].path, outputs_[i].what);  // nothing has changed it meanwhile
    staged.emplace_back(outputs_[i].path, contents[i]);
  }
  // Named only once every file is complete, renamed only once every file is named: a
  // failure before the first rename leaves every destination as it was.
  for (StagedFile& file : staged) file.link();
  for (StagedFile& file : staged) file.commit();
}

}  // namespace referee
