#pragma once
// `--markdown-append PATH`, and `--markdown "$GITHUB_STEP_SUMMARY"`: the Markdown report is
// added after what the file already holds (earlier steps' summaries) instead of replacing it.
//
// How, and why not O_APPEND: the appended file is staged as a whole (the old content, then
// the new report) and renamed into place with the other outputs by OutputSet
// (io/atomic_file.hpp). Every output is staged and fsynced before the first rename, so a
// failure anywhere (an error rendering another output, a full disk, kill -9) leaves the
// file exactly as it was, and a reader sees the old content or the old and new, never a
// part. An O_APPEND write after the other outputs landed would break both: a write cut short
// leaves half a report in the file, and no later step can take it back (a truncate is itself
// a write that can fail, and a killed process gets no chance to make it). The costs: the
// file is read once (a GitHub step summary is at most 1 MiB), the file is replaced by a new
// one (mode from the umask; a writer holding the old one open would write to the old), and
// an append another process makes between our read and our rename is lost. GitHub's runner
// opens the summary by its path after the step ends, so none of these bites there.

#include <string>

#include <referee/limits.hpp>

namespace referee::cli {

// True when `path` names the file in $GITHUB_STEP_SUMMARY (the same spelling, or the same
// file by another one).
bool is_step_summary(const std::string& path);

// Checked before the work: an existing file must be readable (OutputSet::add checks the rest).
void check_appendable(const std::string& path);

// What the file will hold: its content now, a blank line when it has any, then `report`.
std::string appended(const std::string& path, const std::string& report, const Limits& limits);

}  // namespace referee::cli
