#pragma once
// Writing outputs so that nothing around them is damaged and no reader sees a part of one.
//
// A destination must be absent or a regular file: a symlink, a device (/dev/null), a FIFO
// or a directory is refused, so referee never replaces something that is not its own
// output. Each file is written unnamed (O_TMPFILE) in the destination's directory and
// fsynced, so a process killed while writing leaves nothing behind; only then is it linked
// under an unpredictable temporary name (exclusively: linkat never replaces), renamed over
// the destination, and the directory fsynced. Where O_TMPFILE is missing, the temporary
// file is created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) under that name from the start. An OutputSet checks every destination
// before the work starts and lands its files together: all are staged before the first
// rename, so a failure while writing leaves every destination as it was. No output may be
// larger than limits.max_report_bytes: each is measured before the first is staged, so an
// output over the cap is a DataError naming its path and the cap, and nothing is written.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <referee/limits.hpp>

namespace referee {

// Throws IoError naming the path (and `what` it is for) if it cannot take an output: empty,
// not absent and not a regular file, or in a directory that is missing or not writable.
void check_output_destination(const std::filesystem::path& path, std::string_view what = "output");

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           const Limits& limits = {});

class OutputSet {
 public:
  // Checks the destination now; a path given twice (by any spelling) is refused.
  void add(std::string what, const std::filesystem::path& path);
  bool empty() const { return outputs_.empty(); }
  // Writes contents[i] to the i-th path added: every size checked against the cap, every
  // file staged and fsynced, then renamed.
  void write_all(const std::vector<std::string>& contents, const Limits& limits = {}) const;

 private:
  struct Output {
    std::string what;
    std::filesystem::path path;
  };
  std::vector<Output> outputs_;
};

}  // namespace referee
