#include "cli/interrupt.hpp"

#include <csignal>

#include <signal.h>

#include <referee/error.hpp>

namespace referee::cli {

namespace {

// Lock-free, so setting it is async-signal-safe.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_interrupt(int signal_number) {
  if (interrupted.exchange(true)) {  // the second Ctrl-C: stop now
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
  }
}

}  // namespace

InterruptScope::InterruptScope() {
  struct sigaction previous {};
  if (::sigaction(SIGINT, nullptr, &previous) != 0 || previous.sa_handler == SIG_IGN) return;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  installed_ = ::sigaction(SIGINT, &action, nullptr) == 0;
}

InterruptScope::~InterruptScope() {
  if (installed_) std::signal(SIGINT, SIG_DFL);
}

const std::atomic<bool>* InterruptScope::flag() const { return &interrupted; }

void InterruptScope::throw_if_interrupted() const {
  if (interrupted.load()) throw CancelledError();
}

}  // namespace referee::cli
