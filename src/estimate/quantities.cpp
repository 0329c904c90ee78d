#include "estimate/quantities.hpp"

#include "common/quoted.hpp"
#include "estimate/estimate.hpp"
#include <referee/error.hpp>

namespace referee {

Estimate estimate_subject(const QuantityReplicates& q, Subject subject, IntervalMethod method, double confidence) {
  const auto s = static_cast<std::size_t>(subject);
  if (s < 2) return estimate_from_replicates(q.point[s], q.bootstrap[s], q.jackknife[s], method, confidence);
  const bool relative = subject == Subject::relative_delta;
  return estimate_from_replicates(difference_value(q.point[0], q.point[1], relative),
                                  difference_replicates(q.bootstrap[0], q.bootstrap[1], relative),
                                  difference_replicates(q.jackknife[0], q.jackknife[1], relative), method,
                                  confidence);
}

std::array<Estimate, 4> all_subjects(const QuantityReplicates& q, const BootstrapSettings& b) {
  std::array<Estimate, 4> out;
  for (std::size_t s = 0; s < 4; ++s)
    out[s] = estimate_subject(q, static_cast<Subject>(s), b.interval, b.confidence);
  return out;
}

void append(SubjectEstimates& table, const std::array<Estimate, 4>& e) {
  for (std::size_t s = 0; s < 4; ++s) table[s].push_back(e[s]);
}

std::size_t group_index(const Grouping& grouping, const std::string& value, std::string_view what,
                        std::string_view origin) {
  const std::array<std::string, 1> key{value};
  const std::size_t j = grouping.find(key);
  if (j == grouping.size()) {
    // No suggestion from the column's values: they are data, and a message can reach a log.
    throw DataError(std::string(origin) + ": " + std::string(what) + " " + quoted_excerpt(value) +
                    " does not occur in column " + quoted_excerpt(grouping.name) + " (which has " +
                    std::to_string(grouping.size()) + " distinct values; the report lists them)");
  }
  return j;
}

}  // namespace referee
