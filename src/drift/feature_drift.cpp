#include "drift/feature_drift.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "data/column_checks.hpp"
#include "io/csv_reader.hpp"
#include <referee/error.hpp>

namespace referee {

MetricValue FeatureDrift::statistic(DriftStatistic s) const {
  if (numeric) {
    switch (s) {
      case DriftStatistic::psi: return numeric_result.psi;
      case DriftStatistic::ks_statistic: return numeric_result.ks_statistic;
      case DriftStatistic::ks_pvalue: return numeric_result.ks_pvalue;
      case DriftStatistic::wasserstein: return numeric_result.wasserstein;
      case DriftStatistic::js_distance: return numeric_result.js_distance;
      default: return MetricValue::undefined("a numeric feature has no chi-square test; use ks_pvalue");
    }
  }
  switch (s) {
    case DriftStatistic::psi: return categorical_result.psi;
    case DriftStatistic::chi2_statistic: return categorical_result.chi2_statistic;
    case DriftStatistic::chi2_pvalue: return categorical_result.chi2_pvalue;
    case DriftStatistic::js_distance: return categorical_result.js_distance;
    default: return MetricValue::undefined("a categorical feature has no KS test or Wasserstein distance; use chi2_pvalue");
  }
}

const FeatureDrift* DriftResults::find(std::string_view name) const {
  for (const auto& f : features)
    if (f.name == name) return &f;
  return nullptr;
}

namespace {

// One sample of one feature: its text cells, as codes into a dictionary ("" = missing).
struct TextSample {
  std::string_view origin;
  const std::vector<std::uint32_t>* codes;
  const std::vector<std::string>* dictionary;
};

// The dictionary's values as numbers; the first cell that is not one, if any.
struct Numbers {
  std::vector<std::optional<double>> of_code;
  std::optional<std::size_t> bad_row;  // 0-based
};

Numbers numbers_of(const TextSample& s) {
  Numbers out;
  out.of_code.resize(s.dictionary->size());
  std::vector<bool> bad(s.dictionary->size(), false);
  for (std::size_t c = 0; c < s.dictionary->size(); ++c) {
    out.of_code[c] = cell_number((*s.dictionary)[c]);
    bad[c] = !out.of_code[c] && !(*s.dictionary)[c].empty();
  }
  for (std::size_t r = 0; r < s.codes->size(); ++r)
    if (bad[(*s.codes)[r]]) {
      out.bad_row = r;
      break;
    }
  return out;
}

std::vector<double> numeric_values(const TextSample& s, const Numbers& n, std::size_t& missing) {
  std::vector<double> v;
  v.reserve(s.codes->size());
  for (std::uint32_t c : *s.codes) {
    if ((*s.dictionary)[c].empty()) {
      ++missing;
      continue;
    }
    v.push_back(*n.of_code[c]);
  }
  return v;
}

FeatureDrift compare_text(const std::string& name, FeatureType type, const TextSample& reference,
                          const TextSample& current, std::size_t bins) {
  FeatureDrift f;
  f.name = name;
  const Numbers rn = numbers_of(reference), cn = numbers_of(current);
  if (type == FeatureType::numeric) {
    for (const auto& [s, n] : {std::pair{&reference, &rn}, std::pair{&current, &cn}})
      if (n->bad_row)
        throw DataError(std::string(s->origin) + ": row " + std::to_string(*n->bad_row + 1) + ", column \"" + name +
                        "\": the value is not a number, but the drift feature is declared numeric");
  }
  f.numeric = type == FeatureType::numeric ||
              (type == FeatureType::automatic && !rn.bad_row && !cn.bad_row);
  if (f.numeric) {
    const auto ref = numeric_values(reference, rn, f.reference_missing);
    const auto cur = numeric_values(current, cn, f.current_missing);
    f.numeric_result = numeric_drift(ref, cur, bins);
    return f;
  }
  // One dictionary for both samples, without the missing value.
  std::vector<std::string> dictionary;
  std::unordered_map<std::string, std::uint32_t> index;
  std::vector<std::uint32_t> ref_codes, cur_codes;
  const auto encode = [&](const TextSample& s, std::vector<std::uint32_t>& out, std::size_t& missing) {
    std::vector<std::uint32_t> map(s.dictionary->size());
    for (std::size_t c = 0; c < s.dictionary->size(); ++c) {
      const std::string& value = (*s.dictionary)[c];
      if (value.empty()) continue;
      const auto [it, added] = index.emplace(value, static_cast<std::uint32_t>(dictionary.size()));
      if (added) dictionary.push_back(value);
      map[c] = it->second;
    }
    for (std::uint32_t c : *s.codes) {
      if ((*s.dictionary)[c].empty()) {
        ++missing;
        continue;
      }
      out.push_back(map[c]);
    }
  };
  encode(reference, ref_codes, f.reference_missing);
  encode(current, cur_codes, f.current_missing);
  f.categorical_result = categorical_drift(ref_codes, cur_codes, dictionary);
  return f;
}

}  // namespace

const TextColumn* DriftReference::find_feature(std::string_view name) const {
  for (const auto& f : features)
    if (f.name == name) return &f;
  return nullptr;
}

const DriftReference::Scores* DriftReference::find_scores(std::string_view name) const {
  for (const auto& s : scores)
    if (s.name == name) return &s;
  return nullptr;
}

DriftReference read_drift_reference(const DriftSettings& settings, const std::filesystem::path& path,
                                    const Limits& limits) {
  std::vector<CsvColumnRequest> requests;
  for (const DriftFeature& f : settings.features)
    requests.push_back({f.name, f.prediction ? CsvColumnKind::numeric : CsvColumnKind::text, !f.prediction});
  CsvTable csv = read_csv(path, requests, limits);
  DriftReference out;
  out.origin = path.string();
  out.sha256 = csv.sha256;
  out.rows = csv.rows;
  for (std::size_t i = 0; i < settings.features.size(); ++i) {
    CsvColumn& c = csv.columns[i];
    if (settings.features[i].prediction)
      out.scores.push_back({settings.features[i].name, std::move(c.numbers)});
    else
      out.features.push_back({settings.features[i].name, std::move(c.codes), std::move(c.dictionary)});
  }
  return out;
}

DriftReference read_drift_reference(const Policy& policy, std::optional<std::filesystem::path> override,
                                    const Limits& limits) {
  if (!policy.drift.enabled)
    throw UsageError("the policy has no \"drift\" block, so it has no drift reference to read");
  std::filesystem::path path = override ? *override : std::filesystem::path(policy.drift.reference);
  if (!override && path.is_relative()) path = policy.base_directory / path;
  return read_drift_reference(policy.drift, path, limits);
}

namespace {

// A reference built by hand is checked as a read one is: every feature present, one value
// per row, every code within its dictionary.
void check_reference_length(const DriftReference& reference, const std::string& name, std::size_t size) {
  require_rows(reference.origin, name, size, reference.rows);
}

[[noreturn]] void missing_reference_column(const DriftReference& reference, const std::string& name) {
  throw UsageError(reference.origin + ": the drift reference has no column \"" + name +
                   "\"; read it with read_drift_reference() for this policy");
}

const TextColumn& reference_feature(const DriftReference& reference, const std::string& name) {
  const TextColumn* column = reference.find_feature(name);
  if (!column) missing_reference_column(reference, name);
  check_reference_length(reference, name, column->codes.size());
  for (std::size_t r = 0; r < column->codes.size(); ++r)
    if (column->codes[r] >= column->dictionary.size())
      throw DataError(reference.origin + ": row " + std::to_string(r + 1) + ", column \"" + name + "\": code " +
                      std::to_string(column->codes[r]) + " is outside the dictionary");
  return *column;
}

std::span<const double> reference_scores(const DriftReference& reference, const std::string& name) {
  const DriftReference::Scores* scores = reference.find_scores(name);
  if (!scores) missing_reference_column(reference, name);
  check_reference_length(reference, name, scores->values.size());
  return scores->values;
}

}  // namespace

DriftResults check_drift(const Table& current, const DriftSettings& settings, const DriftReference& reference) {
  DriftResults out;
  out.enabled = true;
  out.bins = settings.bins;
  out.reference_origin = reference.origin;
  out.reference_sha256 = reference.sha256;
  out.reference_rows = reference.rows;
  if (reference.rows == 0) throw DataError(out.reference_origin + ": the reference sample has no data rows");
  for (const DriftFeature& f : settings.features) {
    if (f.prediction) {
      FeatureDrift d;
      d.name = f.name;
      d.prediction = true;
      const std::span<const double> scores = f.name == current.columns.champion ? current.champion : current.challenger;
      d.numeric_result = numeric_drift(reference_scores(reference, f.name), scores, settings.bins);
      out.features.push_back(std::move(d));
      continue;
    }
    const TextColumn& ref_column = reference_feature(reference, f.name);
    const TextColumn* column = current.find_drift(f.name);
    if (!column) throw DataError(current.source.origin + ": the evaluation table has no column \"" + f.name +
                                    "\" for the drift feature of that name");
    const TextSample ref{out.reference_origin, &ref_column.codes, &ref_column.dictionary};
    const TextSample cur{current.source.origin, &column->codes, &column->dictionary};
    out.features.push_back(compare_text(f.name, f.type, ref, cur, settings.bins));
  }
  return out;
}

}  // namespace referee
