#pragma once
// The colours verdicts are shown in: the HTML report's banner, forest plot and rules table,
// and Python's Report._repr_html_ (the binding reads this table). One colour per Verdict,
// in its order.

#include <array>
#include <cstddef>
#include <string_view>

#include <referee/vocabulary.hpp>

namespace referee {

inline constexpr std::array<std::string_view, EnumNames<Verdict>::names.size()> kVerdictColours{
    "#1a7f37",  // PASS
    "#9a6700",  // WARN
    "#cf222e",  // FAIL
    "#8250df",  // INCONCLUSIVE
    "#6e7781",  // SKIPPED
};

// Secondary text: an undefined figure, the audit line under a table.
inline constexpr std::string_view kMutedColour = "#6e7781";

inline constexpr std::string_view verdict_colour(Verdict v) { return kVerdictColours[static_cast<std::size_t>(v)]; }

}  // namespace referee
