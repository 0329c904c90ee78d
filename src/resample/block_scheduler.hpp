#pragma once
// Hands numbered tasks (blocks of replicates) to worker threads through an atomic
// counter. Each task writes only its own part of the result, so the result does not
// depend on the thread count or on which thread ran which task.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <referee/error.hpp>

namespace referee {

// Runs task(i) for every i in [0, count) on up to `threads` threads (the caller's among
// them). The first exception stops the others and is rethrown; a raised `cancel` flag
// stops the work and throws CancelledError. `progress` gets the fraction done, called
// serially.
inline void run_tasks(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& task,
                      const std::atomic<bool>* cancel = nullptr,
                      const std::function<void(double)>& progress = {}) {
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress_mutex;
  std::exception_ptr failure;
  std::atomic<bool> stop{false};

  auto worker = [&] {
    try {
      for (std::size_t i = next++; i < count && !stop; i = next++) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
          stop = true;
          break;
        }
        task(i);
        const std::size_t finished = ++done;
        if (progress) {
          std::lock_guard lock(progress_mutex);
          progress(static_cast<double>(finished) / static_cast<double>(count));
        }
      }
    } catch (...) {
      std::lock_guard lock(progress_mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
  };
  const unsigned workers =
      std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(count, 1))));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < workers; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  if (done != count) throw CancelledError();
}

}  // namespace referee
