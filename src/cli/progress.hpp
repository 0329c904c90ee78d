#pragma once
// The CLI's progress display: the core reports the fraction of bootstrap blocks done
// (EvaluateOptions::progress, called serially from its workers); this draws it on stderr,
// never on stdout, which carries the summary a script may read.
//   terminal: one line redrawn in place (carriage return), at most ten times a second, with
//             an ETA; ended by a newline when the work finishes or stops.
//   lines:    stderr is a file or a pipe but --progress forced it: one line per tenth done,
//             so a CI log gets ten lines, not a carriage-return smear.
//   off:      nothing (--no-progress, --quiet, or stderr is not a terminal).

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <utility>

namespace referee::cli {

enum class ProgressMode { off, terminal, lines };

// --progress forces it on, --no-progress off (both at once is a usage error the caller
// reports); otherwise on exactly when `fd` is a terminal.
ProgressMode progress_mode(std::optional<bool> forced, int fd);

class ProgressBar {
 public:
  explicit ProgressBar(ProgressMode mode, std::FILE* out = stderr) : mode_(mode), out_(out) {}
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  // A bar left mid-line (an error, Ctrl-C) is ended, so the error message starts a line.
  ~ProgressBar();

  // The callback to hand the core; empty when the mode is off (the core then skips it).
  std::function<void(double)> callback();
  void update(double fraction);

 private:
  using Clock = std::chrono::steady_clock;
  std::optional<double> eta_seconds(double fraction, Clock::time_point now);
  void draw_terminal(double fraction, Clock::time_point now);
  void draw_line(double fraction, Clock::time_point now);

  ProgressMode mode_;
  std::FILE* out_;
  Clock::time_point start_ = Clock::now();
  // The first report: the ETA is measured from it, so that the work before the bootstrap
  // (reading, grouping) does not count as the bootstrap's pace.
  std::optional<std::pair<Clock::time_point, double>> first_;
  Clock::time_point last_draw_{};
  int tenths_shown_ = 0;   // lines mode: the last tenth printed
  bool mid_line_ = false;  // terminal mode: a bar is drawn and its line not yet ended
};

}  // namespace referee::cli
