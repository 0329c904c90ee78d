#pragma once
// The one way every reader opens an input file: the data CSV, a load test's latency CSV,
// the drift reference, the policy and a policy-cases file.
//
// Only a regular file is read. A FIFO, a device (/dev/zero, a terminal), a socket or a
// directory is refused before a byte is read, so no input can make referee wait forever
// (a FIFO with no writer) or feed it without end (/dev/zero). The open itself cannot block:
// it is made with O_NONBLOCK, which is cleared once the file is known to be regular.
// Every message names the path and the reason, never the file's contents.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace referee {

struct Limits;

class InputFile {
 public:
  // Opens `path` for reading. IoError "<path>: cannot open[ the <what>]: <reason>", or
  // "<path>: is not a regular file (a FIFO)" (a device, a socket, a directory).
  explicit InputFile(const std::filesystem::path& path, std::string_view what = {});
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;

  // Reads up to buffer.size() bytes into buffer; 0 at the end of the file. IoError naming
  // the path when the read fails.
  std::size_t read(std::span<char> buffer);
  // The file's size when it was opened (a file may still grow or shrink while it is read).
  std::uint64_t size() const { return size_; }
  // The path as given, for messages.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// The whole of a small text file, a policy or a policy-cases file (`what` says which, for
// messages): at most limits.max_policy_bytes bytes, or PolicyError naming the path and the
// cap. The cap holds while reading, so a file that grows, or one that reports no size
// (/proc), is never read past it. `cap` names another cap of limits.hpp for a file that is
// not policy text (a stored report: max_report_bytes).
std::string read_small_file(const std::filesystem::path& path, const Limits& limits, std::string_view what,
                            std::string_view cap = "max_policy_bytes");

}  // namespace referee
