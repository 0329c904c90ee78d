#pragma once
// Ctrl-C during an evaluation: the first SIGINT raises the core's cancel flag
// (EvaluateOptions::cancel), so the workers stop at the next block, no output is written,
// the progress line is ended and the CLI exits 130 with a one-line message. A second
// SIGINT, or one outside the evaluation (reading a large CSV), takes the default action:
// the process dies of the signal, which a shell also reports as 130.

#include <atomic>

namespace referee::cli {

class InterruptScope {
 public:
  // Installs the handler, unless SIGINT is ignored (a background job of a non-interactive
  // shell, nohup): what the parent chose to ignore stays ignored.
  InterruptScope();
  ~InterruptScope();  // restores the default action
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  const std::atomic<bool>* flag() const;
  // Throws CancelledError if Ctrl-C came while the core was in a step it does not poll.
  void throw_if_interrupted() const;

 private:
  bool installed_ = false;
};

}  // namespace referee::cli
