#pragma once
// The ranges of the run options every door takes (the CLI's --seed and --threads, the
// policy's $.bootstrap.seed and $.threshold, Python's seed=, threads= and threshold=, the
// core's EvaluateOptions): one rule and one wording each, so that no door keeps a copy.

#include <cstdint>
#include <string_view>

namespace referee {

inline constexpr std::uint64_t kMaxThreads = 1024;

// A thread count a caller asked for: 0 (all hardware threads) is the core's default, never
// a caller's word, so a door refuses it; more than kMaxThreads is a mistake, not a machine.
inline bool threads_in_range(std::uint64_t threads) { return threads >= 1 && threads <= kMaxThreads; }
inline constexpr std::string_view kThreadsRange = "must be from 1 to 1024";

// A decision threshold on a probability; NaN is outside.
inline bool threshold_in_range(double threshold) { return threshold >= 0.0 && threshold <= 1.0; }
inline constexpr std::string_view kThresholdRange = "must be within [0, 1]";

// A seed is any unsigned 64-bit integer: the rule is the type, the wording is here.
inline constexpr std::string_view kSeedRange = "must be an integer from 0 to 18446744073709551615";

}  // namespace referee
