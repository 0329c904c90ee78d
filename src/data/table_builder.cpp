#include <referee/table.hpp>

#include <array>
#include <string>
#include <utility>

#include <referee/error.hpp>

#include "common/quoted.hpp"
#include "common/did_you_mean.hpp"
#include "data/column_checks.hpp"
#include "data/class_columns.hpp"
#include "data/positive_label.hpp"
#include "data/ranking_queries.hpp"

namespace referee {

std::vector<ColumnRequest> requested_columns(const ColumnNames& c) {
  // A label with a positive_label is text (strings, booleans, a categorical's values), as
  // is a multiclass label (class names).
  const ColumnKind label_kind = c.positive_label || c.multiclass() ? ColumnKind::text : ColumnKind::numeric;
  std::vector<ColumnRequest> out;
  if (!c.label.empty()) out.push_back({c.label, label_kind, ColumnRole::label});  // the outcome task has none
  if (c.multiclass()) {
    // One column per class and model, once resolved (resolve_class_columns).
    for (std::size_t m = 0; m < 2; ++m)
      for (const std::string& name : c.class_columns[m].columns)
        out.push_back({name, ColumnKind::numeric, m == 0 ? ColumnRole::champion : ColumnRole::challenger});
  } else {
    out.push_back({c.champion, ColumnKind::numeric, ColumnRole::champion});
    out.push_back({c.challenger, ColumnKind::numeric, ColumnRole::challenger});
  }
  if (!c.weight.empty()) out.push_back({c.weight, ColumnKind::numeric, ColumnRole::weight});
  // Per-model serving columns, in the order (latency, cost, error) x (champion, challenger).
  for (const ModelColumnNames* pair : {&c.latency, &c.cost, &c.error})
    for (std::size_t m = 0; m < 2; ++m)
      if (!(*pair)[m].empty()) out.push_back({(*pair)[m], ColumnKind::numeric, ColumnRole::serving});
  if (!c.cluster.empty()) out.push_back({c.cluster, ColumnKind::text, ColumnRole::cluster});
  if (!c.id.empty()) out.push_back({c.id, ColumnKind::text, ColumnRole::id});
  if (!c.query.empty()) out.push_back({c.query, ColumnKind::text, ColumnRole::query});
  for (const auto& name : c.categorical) out.push_back({name, ColumnKind::text, ColumnRole::group});
  for (const auto& name : c.drift) out.push_back({name, ColumnKind::text, ColumnRole::drift_feature});
  return out;
}

TableBuilder::TableBuilder(std::size_t rows, std::string origin) : rows_(rows), origin_(std::move(origin)) {}

TableBuilder::Column& TableBuilder::added(std::string name, ColumnKind kind, std::size_t length) {
  require_rows(origin_, name, length, rows_);
  Column& column = columns_.emplace_back();
  column.name = std::move(name);
  column.kind = kind;
  return column;
}

void TableBuilder::add_numeric(std::string name, std::span<const double> values) {
  added(std::move(name), ColumnKind::numeric, values.size()).numbers = values;
}

void TableBuilder::add_numeric(std::string name, std::vector<double> values) {
  Column& column = added(std::move(name), ColumnKind::numeric, values.size());
  storage_.push_back(std::move(values));  // moving a vector keeps its buffer, so the span holds
  column.numbers = storage_.back();
}

void TableBuilder::add_text(std::string name, std::vector<std::uint32_t> codes, std::vector<std::string> dictionary) {
  Column& column = added(std::move(name), ColumnKind::text, codes.size());
  column.codes = std::move(codes);
  column.dictionary = std::move(dictionary);
}

void TableBuilder::add_class_scores(std::size_t model, ScoreBlock block) {
  if (model > 1) throw UsageError("add_class_scores: model is 0 (champion) or 1 (challenger)");
  if (!block.covers(rows_))
    throw DataError(origin_ + ": the " + std::string(model == 0 ? "champion" : "challenger") +
                    "'s probability block does not hold " + std::to_string(rows_) + " rows of " +
                    std::to_string(block.classes) + " classes");
  class_scores_[model] = block;
}

void TableBuilder::set_file_source(std::string path, std::string sha256) {
  origin_ = std::move(path);
  file_sha256_ = std::move(sha256);
}

const TableBuilder::Column& TableBuilder::find(const std::string& name, ColumnKind kind) const {
  std::vector<std::string> names;
  for (const Column& c : columns_) {
    if (c.name != name) {
      names.push_back(c.name);
      continue;
    }
    if (c.kind != kind)
      throw DataError(origin_ + ": column " + quoted_excerpt(name) + " holds " +
                      (c.kind == ColumnKind::text ? "text, a number is needed" : "numbers, text is needed"));
    return c;
  }
  throw DataError(origin_ + ": no column " + quoted_excerpt(name) + " in the table" + did_you_mean(name, names));
}

TableBuilder::Column& TableBuilder::find(const std::string& name, ColumnKind kind) {
  return const_cast<Column&>(std::as_const(*this).find(name, kind));
}

// A model's block: the one a door added whole, or its class columns gathered into one
// owned block, class by class (column-major).
ScoreBlock TableBuilder::class_block(std::size_t model, const ColumnNames& columns) {
  if (!class_scores_[model].empty()) return class_scores_[model];
  const std::vector<std::string>& names = columns.class_columns[model].columns;
  std::vector<double> block;
  block.reserve(rows_ * names.size());
  for (const std::string& name : names) {
    const std::span<const double> values = find(name, ColumnKind::numeric).numbers;
    block.insert(block.end(), values.begin(), values.end());
  }
  storage_.push_back(std::move(block));
  return {storage_.back(), names.size(), 1, rows_};
}

Table TableBuilder::build(const ColumnNames& columns, Task task) && {
  const auto numbers = [&](const std::string& name) {
    return name.empty() ? std::span<const double>{} : find(name, ColumnKind::numeric).numbers;
  };
  const Column* cluster = columns.cluster.empty() ? nullptr : &find(columns.cluster, ColumnKind::text);
  std::span<const double> label;
  if (columns.multiclass()) {
    const Column& text = find(columns.label, ColumnKind::text);
    storage_.push_back(class_labels(text.codes, text.dictionary, columns.classes, origin_, columns.label));
    label = storage_.back();
  } else if (columns.positive_label) {
    const Column& text = find(columns.label, ColumnKind::text);
    storage_.push_back(binary_labels(text.codes, text.dictionary, *columns.positive_label, origin_, columns.label));
    label = storage_.back();
  } else {
    label = numbers(columns.label);
  }
  const bool multiclass = columns.multiclass();
  Table t = borrowed_table(label, multiclass ? label : numbers(columns.champion), multiclass ? label : numbers(columns.challenger),
                           numbers(columns.weight), cluster ? std::span(cluster->codes) : std::span<const std::uint32_t>{},
                           cluster ? std::span(cluster->dictionary) : std::span<const std::string>{}, columns);
  t.rows = rows_;
  t.source.origin = origin_;
  if (multiclass) {
    t.champion = t.challenger = {};
    for (std::size_t m = 0; m < 2; ++m) t.class_scores[m] = class_block(m, columns);
  }
  t.source.file_sha256 = file_sha256_;
  if (!columns.query.empty()) {
    const Column& q = find(columns.query, ColumnKind::text);
    set_queries(t, columns.query, q.codes, q.dictionary);
  }
  if (!columns.id.empty()) {  // after the clusters and queries, which stay the units
    Column& id = find(columns.id, ColumnKind::text);  // moved: ids are as many as rows
    set_row_ids(t, std::move(id.codes), std::move(id.dictionary));
  }
  for (const std::string& name : columns.categorical) {
    const Column& c = find(name, ColumnKind::text);
    add_categorical(t, name, c.codes, c.dictionary);
  }
  for (std::size_t m = 0; m < 2; ++m) {
    t.latency[m] = numbers(columns.latency[m]);
    t.cost[m] = numbers(columns.cost[m]);
    t.error[m] = numbers(columns.error[m]);
  }
  for (const std::string& name : columns.drift) {
    const Column& c = find(name, ColumnKind::text);
    t.drift.push_back({name, c.codes, c.dictionary});
  }
  t.storage = std::move(storage_);
  validate_table(t, task);
  return t;
}

}  // namespace referee
