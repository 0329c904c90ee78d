#pragma once
// The one exit-code table: what the CLI returns, what the SageMaker entrypoint returns
// (Python reads it from the core), what a CI job branches on. sysexits.h for errors.

#include <referee/error.hpp>
#include <referee/vocabulary.hpp>

namespace referee {

enum class ExitCode : int {
  pass = 0,          // PASS or WARN; `referee test`: every case holds
  fail = 1,          // FAIL; `referee test`: a case does not hold
  inconclusive = 2,  // INCONCLUSIVE
  usage = 64,        // EX_USAGE
  data = 65,         // EX_DATAERR: bad data or policy
  internal = 70,     // EX_SOFTWARE: a bug in referee
  io = 74,           // EX_IOERR
  cancelled = 130,   // 128 + SIGINT, the shell's convention
};

constexpr int exit_code(ExitCode code) { return static_cast<int>(code); }

constexpr ExitCode exit_code_of(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
    case Verdict::warn:
    case Verdict::skipped:
      return ExitCode::pass;
    case Verdict::fail:
      return ExitCode::fail;
    case Verdict::inconclusive:
      return ExitCode::inconclusive;
  }
  return ExitCode::internal;
}

constexpr ExitCode exit_code_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage:
      return ExitCode::usage;
    case ErrorKind::policy:
    case ErrorKind::data:
      return ExitCode::data;
    case ErrorKind::io:
      return ExitCode::io;
    case ErrorKind::cancelled:
      return ExitCode::cancelled;
  }
  return ExitCode::internal;
}

}  // namespace referee
