#pragma once
// Labels as they come: a text label column (strings, booleans, a categorical's values)
// mapped to the binary task's 0 and 1 by the policy's positive_label, as scikit-learn's
// pos_label does. The one other value is the negative class; a third value, or a missing
// cell, is an error naming its row (never its value: docs/security.md).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <referee/table.hpp>

namespace referee {

// 1 where the row holds the positive label, 0 where it holds the one other value.
// `origin` and `column` name the table and label column in messages.
std::vector<double> binary_labels(std::span<const std::uint32_t> codes, std::span<const std::string> dictionary,
                                  const LabelValue& positive, const std::string& origin, const std::string& column);

}  // namespace referee
