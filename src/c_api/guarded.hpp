#pragma once
// The C API's boundary: guarded() is the one place where C++ exceptions become a status and
// a thread-local message, and require() and require_count() are the checks every entry
// point makes on a caller's pointers and counts before it reads them.

#include <referee/referee.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <string>

#include <referee/error.hpp>

namespace referee::c_api {

// The message of the last failure on this thread (referee_last_error). An inline
// function's static is one object across the C door's files.
inline std::string& last_error() {
  thread_local std::string message;
  return message;
}

// Keeps a failure's message. Copying it can itself run out of memory, and nothing may
// escape the handler that calls this, so the fallback is a message that needs no memory.
inline void set_last_error(const char* prefix, const char* what) noexcept {
  try {
    last_error().assign(prefix).append(what);
  } catch (...) {
    last_error().clear();
  }
}

template <class F>
referee_status guarded(F&& body) noexcept {
  try {
    body();
    last_error().clear();
    return REFEREE_OK;
  } catch (const Error& e) {
    set_last_error("", e.what());
    switch (e.kind()) {
      case ErrorKind::usage:
        return REFEREE_INVALID_ARGUMENT;
      case ErrorKind::policy:
        return REFEREE_POLICY_ERROR;
      case ErrorKind::data:
        return REFEREE_DATA_ERROR;
      case ErrorKind::io:
        return REFEREE_IO_ERROR;
      case ErrorKind::cancelled:
        return REFEREE_CANCELLED;
    }
    return REFEREE_INTERNAL;
  } catch (const std::bad_alloc&) {
    set_last_error("", "out of memory");
    return REFEREE_INTERNAL;
  } catch (const std::exception& e) {
    set_last_error("internal error: ", e.what());
    return REFEREE_INTERNAL;
  } catch (...) {
    set_last_error("internal error: ", "unknown exception");
    return REFEREE_INTERNAL;
  }
}

template <class T>
void require(const T* pointer, const char* what) {
  if (!pointer) throw UsageError(std::string(what) + " is NULL");
}

// A count of elements of `size` bytes that a caller says a buffer holds must describe an
// object that can exist (at most PTRDIFF_MAX bytes): beyond that, the pointer arithmetic
// and the allocations sized by it overflow. Checked before the buffer is read.
inline void require_count(std::size_t count, std::size_t size, const char* what) {
  if (count > static_cast<std::size_t>(PTRDIFF_MAX) / size)
    throw UsageError(std::string(what) + " is " + std::to_string(count) + ", more than a buffer of " +
                     std::to_string(size) + "-byte elements can hold");
}

}  // namespace referee::c_api
