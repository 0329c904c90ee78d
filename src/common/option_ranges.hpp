#pragma once
// The ranges of the run options every door takes (the CLI's --seed and --threads, the
// policy's $.bootstrap.seed and $.threshold, Python's seed=, threads= and threshold=, the
// core's EvaluateOptions): one rule and one wording each, so that no door keeps a copy.

#include <cstdint>
#include <cmath>
#include <string_view>

#include <referee/vocabulary.hpp>

namespace referee {

inline constexpr std::uint64_t kMaxThreads = 1024;

// A thread count a caller asked for: 0 (all hardware threads) is the core's default, never
// a caller's word, so a door refuses it; more than kMaxThreads is a mistake, not a machine.
inline bool threads_in_range(std::uint64_t threads) { return threads >= 1 && threads <= kMaxThreads; }
inline constexpr std::string_view kThreadsRange = "must be from 1 to 1024";

// A decision threshold, in score units: within [0, 1] on probabilities, any finite number
// on decision scores; NaN is outside either.
inline bool threshold_in_range(double threshold, ScoreKind scores = ScoreKind::probability) {
  if (scores == ScoreKind::decision) return std::isfinite(threshold);
  return threshold >= 0.0 && threshold <= 1.0;
}
inline constexpr std::string_view threshold_range(ScoreKind scores = ScoreKind::probability) {
  return scores == ScoreKind::decision ? "must be a finite number (a decision score)"
                                       : "must be within [0, 1]";
}
// The scale a policy's threshold is on: a pass mark (the outcome task) or decision scores
// take any finite number, probabilities [0, 1].
inline constexpr ScoreKind threshold_scale(ScoreKind scores, bool pass_mark) {
  return pass_mark ? ScoreKind::decision : scores;
}

// The threshold a policy that names none uses: 0.5 on probabilities, 0 on decision scores
// (scikit-learn's predict() on a decision_function).
inline constexpr double default_threshold(ScoreKind scores) { return scores == ScoreKind::decision ? 0.0 : 0.5; }

// A seed is any unsigned 64-bit integer: the rule is the type, the wording is here.
inline constexpr std::string_view kSeedRange = "must be an integer from 0 to 18446744073709551615";

}  // namespace referee
