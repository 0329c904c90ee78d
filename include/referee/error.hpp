#pragma once
// The error kinds referee reports. Each maps to one CLI exit code and one C status,
// so a caller can tell bad input (fix the data or policy) from a broken environment.

#include <stdexcept>
#include <string>

namespace referee {

enum class ErrorKind {
  usage,      // the caller used the API or CLI wrongly
  policy,     // the policy JSON is invalid
  data,       // the evaluation table is invalid
  io,         // a file could not be read or written
  cancelled,  // the caller asked to stop
};
// Anything else that escapes (std::bad_alloc, a std::exception from a bug) is an internal
// error: the CLI exits 70, the C API returns REFEREE_INTERNAL, Python raises RefereeError.

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

struct UsageError : Error {
  explicit UsageError(const std::string& m) : Error(ErrorKind::usage, m) {}
};
struct PolicyError : Error {
  explicit PolicyError(const std::string& m) : Error(ErrorKind::policy, m) {}
};
struct DataError : Error {
  explicit DataError(const std::string& m) : Error(ErrorKind::data, m) {}
};
struct IoError : Error {
  explicit IoError(const std::string& m) : Error(ErrorKind::io, m) {}
};
struct CancelledError : Error {
  CancelledError() : Error(ErrorKind::cancelled, "evaluation cancelled by the caller") {}
};

}  // namespace referee
