// libFuzzer harness: the policy parser, parse_policy_text() (referee/policy.hpp): the
// checked JSON reader (policy/json_text.hpp) and every section and rule parser behind it,
// under small caps (nesting 16, 8 rules, 3000 bytes) so that each cap is reached.
//
// Invariants: only PolicyError escapes, with a message fit for a log
// (fuzz_invariants.hpp). A policy that parses holds 1..max_rules rules and parses again,
// to the same hash, both from its DOM (parse_policy) and from its own serialisation:
// what referee writes back into a report is a policy it would read.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <referee/policy.hpp>
#include <referee/table.hpp>

#include "fuzz_invariants.hpp"

namespace {

using namespace referee;
using fuzz::require;

Limits small_limits() {
  Limits limits;
  limits.max_json_depth = 16;
  limits.max_rules = 8;
  limits.max_policy_bytes = 3000;
  return limits;
}

void check_policy(const Policy& p, const Limits& limits) {
  require(!p.rules.empty() && p.rules.size() <= limits.max_rules, "a policy has 1..max_rules rules");
  require(p.sha256.size() == 64, "the policy hash has 64 hex digits");
  for (const Rule& r : p.rules) require(!r.id.empty() && valid_utf8(r.id), "a rule id is non-empty UTF-8", r.id);
  (void)requested_columns(p.columns);

  Policy again;
  require(fuzz::only_referee_errors({}, [&] { again = parse_policy(p.source, "policy", limits); }),
          "a parsed policy's DOM parses again");
  require(again.sha256 == p.sha256, "the DOM parses to the same hash");
  const std::string dumped = p.source.dump();
  Limits roomy = limits;
  roomy.max_policy_bytes = dumped.size();  // the dump may be longer than the text (\u escapes)
  require(fuzz::only_referee_errors({}, [&] { again = parse_policy_text(dumped, "policy", roomy); }),
          "a parsed policy's serialisation parses again", dumped);
  require(again.sha256 == p.sha256, "the serialisation parses to the same hash", dumped);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Limits limits = small_limits();
  Policy policy;
  if (fuzz::only_referee_errors({ErrorKind::policy}, [&] { policy = parse_policy_text(text, "policy", limits); }))
    check_policy(policy, limits);
  return 0;
}
