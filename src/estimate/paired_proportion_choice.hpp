#pragma once
// Which interval a paired difference of proportions gets (issue 18), one rule read by the
// overall metrics and the segment tables, so a rule judges the interval the report shows.
//
// The delta's discordant cells (discreteness.hpp) go on the estimate. With fewer than
// kMinDiscordantRows of them the bootstrap interval is marked with the count, and under
// "auto" (the default) or "score" replaced by Tango's score interval. Clustered rows keep
// the bootstrap interval (the score interval assumes independent rows; the cluster
// bootstrap does not), marked with the reason. Weighted rows get the score interval on Kish
// effective counts: the design-effect approximation, the weights taken as known.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "estimate/discreteness.hpp"
#include "estimate/paired_proportion_interval.hpp"
#include <referee/vocabulary.hpp>

namespace referee {

struct PairedIntervalSettings {
  PairedProportionInterval mode = PairedProportionInterval::automatic;
  IntervalMethod bootstrap = IntervalMethod::bca;  // the policy's, named when it stands
  double confidence = 0.95;
  bool clustered = false;
  bool weighted = false;
};

inline std::string effective_text(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", x);
  return buffer;
}

// "7 discordant rows", or with weights "7 discordant rows (4.2 effective)".
inline std::string discordant_text(const DiscordantRows& d) {
  const std::size_t rows = d.challenger_only + d.champion_only;
  std::string text = std::to_string(rows) + (rows == 1 ? " discordant row" : " discordant rows");
  if (d.weighted) text += " (" + effective_text(d.effective) + " effective)";
  return text;
}

// Marks a figure whose bootstrap distribution has few distinct values (a note only).
inline void mark_coarse_bootstrap(Estimate& e, IntervalMethod method) {
  if (!e.ci.defined || e.distinct_replicates >= kMinDistinctReplicates) return;
  e.interval_method = name_of(method);
  e.interval_reason = e.distinct_replicates == 1
                          ? "the same value in every bootstrap resample"
                          : std::to_string(e.distinct_replicates) + " distinct bootstrap values";
}

inline constexpr std::string_view kTangoScore = "tango_score";

// The bootstrap interval stands, marked: with few discordant rows and the policy's
// "bootstrap", or whenever the rows are clustered.
inline void mark_bootstrap_stands(Estimate& delta, const std::string& counts, const PairedIntervalSettings& s) {
  delta.interval_method = name_of(s.bootstrap);
  delta.interval_reason =
      (counts.empty() ? std::string() : counts + "; ") +
      (s.clustered && s.mode != PairedProportionInterval::bootstrap ? "the rows are clustered and the score interval assumes independent rows: "
                     "the cluster bootstrap interval stands"
                   : "the bootstrap interval stands (bootstrap.paired_proportions \"" +
                         std::string(name_of(s.mode)) + "\")");
}

inline void choose_paired_proportion_interval(Estimate& delta, const ProportionCells& cells,
                                              const PairedIntervalSettings& s) {
  const CellSums discordant = cells.discordant();
  const PairedDiscordance score_cells = tango_counts(cells, s.weighted);
  delta.discordant = DiscordantRows{cells.challenger_only.rows, cells.champion_only.rows, s.weighted,
                                    discordant.effective(),       score_cells.challenger_only,
                                    score_cells.champion_only,    score_cells.n};
  if (!delta.point.defined) return;
  const bool few = (s.weighted ? discordant.effective() : static_cast<double>(discordant.rows)) < kMinDiscordantRows;
  const std::string counts = few ? discordant_text(*delta.discordant) : "";
  const bool score = s.mode == PairedProportionInterval::score ||
                     (s.mode == PairedProportionInterval::automatic && few);
  if (!score) {
    if (few) mark_bootstrap_stands(delta, counts, s);
    return;
  }
  if (s.clustered) return mark_bootstrap_stands(delta, counts, s);
  delta.ci = tango_score_interval(score_cells, s.confidence);
  // The SE a normal interval of this width would have: what the next step of an INCONCLUSIVE
  // rule plans with (decide/next_step), so it plans on the interval that was judged, not on
  // a bootstrap spread of a few atoms (0 with no discordant rows).
  const double z = quantile(boost::math::normal(), 0.5 + s.confidence / 2.0);
  delta.standard_error = (delta.ci.hi - delta.ci.lo) / (2.0 * z);
  delta.interval_method = kTangoScore;
  delta.interval_reason = few ? counts : "requested by bootstrap.paired_proportions \"score\"";
  if (s.weighted)
    delta.interval_reason += "; weighted rows: on Kish effective counts (" +
                             effective_text(cells.denominator.effective()) + " effective rows)";
}

// A figure's interval at another confidence (a multiple-testing level) when it is Tango's,
// so a corrected decision uses the same kind of interval the figure shows.
inline std::optional<Interval> score_interval_at(const Estimate& e, double confidence) {
  if (e.interval_method != kTangoScore || !e.discordant) return std::nullopt;
  const DiscordantRows& d = *e.discordant;
  return tango_score_interval({d.score_challenger_only, d.score_champion_only, d.score_rows}, confidence);
}

}  // namespace referee
