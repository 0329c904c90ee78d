#pragma once
// One rule of a policy (docs/policy.md): a model metric, a fairness disparity, a serving
// budget or a drift statistic, with its bound, decision and scope. Every error names the
// rule's JSON path, $.rules[index].

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include <referee/policy.hpp>

#include "policy/json_text.hpp"

namespace referee {

// `p` is the policy read so far: the task, the declared columns, segments, fairness,
// pricing and drift blocks the rule may refer to.
Rule parse_rule(const nlohmann::json& v, std::size_t index, const Policy& p, const JsonSource& origin);

}  // namespace referee
