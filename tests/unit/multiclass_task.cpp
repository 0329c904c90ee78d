// The multiclass task (issue 15, item 3) through the public API: the policy's columns and
// rule parameters with each error at its JSON path, class order, the columns a prefix
// finds in a header, labels matched to classes, and every default figure on a table small
// enough to work by hand. tests/python/test_multiclass.py checks the same figures against
// scikit-learn on the digits and twenty-topic fixtures.

#include <doctest/doctest.h>

#include <array>
#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/policy.hpp>
#include <referee/render.hpp>
#include <referee/table.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

const std::string kPrefixColumns = R"("label": "y", "champion": {"prefix": "a_"}, "challenger": {"prefix": "b_"})";

std::string mc_policy(const std::string& columns = kPrefixColumns, const std::string& rules =
                          R"({"id": "acc", "metric": "accuracy", "subject": "delta", "min": -1})") {
  return R"({"version": 1, "task": "multiclass", "columns": {)" + columns +
         R"(}, "bootstrap": {"resamples": 200, "seed": 3}, "rules": [)" + rules + "]}";
}

// One rule with the given metric keys, judged on the delta.
std::string rule(const std::string& keys) {
  return R"({"id": "r", )" + keys + R"(, "subject": "delta", "min": -1})";
}

std::string metric_name_of(const std::string& keys) {
  const Policy p = parse_policy_text(mc_policy(kPrefixColumns, rule(keys)));
  return p.rules.at(0).metric.name;
}

// The columns a policy's prefixes name in a header, as the CSV reader resolves them.
ColumnNames resolve(const ColumnNames& columns, const std::vector<std::string>& header) {
  return resolve_class_columns(columns, header, "eval.csv");
}

// The place of a figure in Policy::metrics (and so in every estimate list).
std::size_t figure(const Policy& p, const std::string& name) {
  for (std::size_t i = 0; i < p.metrics.size(); ++i)
    if (p.metrics[i].name == name) return i;
  FAIL("no figure " << name);
  return 0;
}

const std::vector<std::string> kDefaultFigures{
    "accuracy",         "balanced_accuracy", "top_k_accuracy@2",   "log_loss",     "brier",
    "precision_macro",  "precision_micro",   "precision_weighted", "recall_macro", "recall_micro",
    "recall_weighted",  "f1_macro",          "f1_micro",           "f1_weighted",  "cohen_kappa",
    "mcc",              "roc_auc_macro",     "roc_auc_weighted"};

// A multiclass table as a door hands it over: a text label, an optional weight, and each
// model's probabilities per row in class order, given as columns `a_<class>` and
// `b_<class>` (the header order is `header`), or as one row-major block per model.
struct Rows {
  std::vector<std::string> labels;
  std::vector<double> weight;
  std::array<std::vector<std::vector<double>>, 2> probabilities;  // [model][row][class]
};

// Extra text columns (a cluster key, a segment), added as given.
struct TextColumns {
  std::vector<std::pair<std::string, std::vector<std::string>>> columns;
};

enum class Layout { columns, row_major_block, column_major_block };

struct BuiltTable {
  std::array<std::vector<double>, 2> blocks;  // the caller's buffers behind a block layout
  Table table;
};

// Builds `rows` as the CLI or Python would: resolve the prefix against the header, then
// add the columns the policy asks for.
void build(BuiltTable& out, const Policy& p, const Rows& rows, const std::vector<std::string>& header,
           Layout layout = Layout::columns, const TextColumns& text = {}) {
  const ColumnNames columns = resolve_class_columns(p.columns, header, "memory");
  const std::size_t n = rows.labels.size(), K = columns.classes.size();
  TableBuilder builder(n);
  const EncodedText label = encode_text(rows.labels);
  builder.add_text("y", label.codes, label.dictionary);
  for (const auto& [name, values] : text.columns) {
    const EncodedText encoded = encode_text(values);
    builder.add_text(name, encoded.codes, encoded.dictionary);
  }
  if (!rows.weight.empty()) builder.add_numeric("w", rows.weight);
  for (std::size_t m = 0; m < 2; ++m) {
    if (layout == Layout::columns) {
      for (std::size_t k = 0; k < K; ++k) {
        std::vector<double> column;
        for (std::size_t r = 0; r < n; ++r) column.push_back(rows.probabilities[m][r][k]);
        builder.add_numeric(columns.class_columns[m].columns[k], std::move(column));
      }
      continue;
    }
    std::vector<double>& block = out.blocks[m];
    block.assign(n * K, 0.0);
    const bool row_major = layout == Layout::row_major_block;
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t k = 0; k < K; ++k) block[row_major ? r * K + k : k * n + r] = rows.probabilities[m][r][k];
    builder.add_class_scores(m, ScoreBlock{block, K, row_major ? K : 1, row_major ? 1 : n});
  }
  out.table = std::move(builder).build(columns, Task::multiclass);
}

// --- the hand-worked table ------------------------------------------------------------------
//
// Classes ant, bee, cat (byte order; the header lists cat first). Eight rows, weights w.
// The champion's probabilities (ant, bee, cat), its argmax prediction, and the label's
// position in scikit-learn's top-k order (descending probability, equal probabilities by
// descending class index):
//
//   row  label  w   ant   bee   cat    predicted   position
//    1   ant    1   0.7   0.2   0.1    ant          0
//    2   ant    2   0.4   0.4   0.2    ant (tie)    1  (bee ranks above ant on the tie)
//    3   ant    1   0.3   0.6   0.1    bee          1
//    4   bee    1   0.2   0.5   0.3    bee          0
//    5   bee    2   0.2   0.7   0.1    bee          0
//    6   bee    1   0.1   0.8   0.1    bee          0
//    7   cat    1   0.4   0.2   0.4    ant (tie)    0  (cat ranks above ant on the tie)
//    8   cat    1   0.5   0.35  0.15   ant          2
//
// Nobody predicts cat. Weighted counts (total 10):
//   truth     ant 4, bee 4, cat 2
//   predicted ant 5 (rows 1, 2, 7, 8), bee 5 (rows 3-6), cat 0
//   correct   ant 3 (rows 1, 2), bee 4, cat 0
// The challenger is sure and right on every row (probability 1 on the label, 0 elsewhere).
Rows worked_rows() {
  Rows rows;
  rows.labels = {"ant", "ant", "ant", "bee", "bee", "bee", "cat", "cat"};
  rows.weight = {1, 2, 1, 1, 2, 1, 1, 1};
  rows.probabilities[0] = {{0.7, 0.2, 0.1}, {0.4, 0.4, 0.2}, {0.3, 0.6, 0.1}, {0.2, 0.5, 0.3},
                           {0.2, 0.7, 0.1}, {0.1, 0.8, 0.1}, {0.4, 0.2, 0.4}, {0.5, 0.35, 0.15}};
  for (const std::string& label : rows.labels)
    rows.probabilities[1].push_back({label == "ant" ? 1.0 : 0.0, label == "bee" ? 1.0 : 0.0, label == "cat" ? 1.0 : 0.0});
  return rows;
}

const std::vector<std::string> kWorkedHeader{"y", "w", "a_cat", "a_ant", "a_bee", "b_bee", "b_cat", "b_ant"};

// The default figures plus per-class ones and a top-1 accuracy, named by rules.
std::string worked_policy() {
  return mc_policy(kPrefixColumns + R"(, "weight": "w")",
                   R"({"id": "p-cat", "metric": "precision", "class": "cat", "subject": "champion", "min": 0},
                      {"id": "r-cat", "metric": "recall", "class": "cat", "subject": "champion", "min": 0},
                      {"id": "f1-bee", "metric": "f1", "class": "bee", "subject": "champion", "min": 0},
                      {"id": "top1", "metric": "top_k_accuracy", "k": 1, "subject": "champion", "min": 0})");
}

}  // namespace

TEST_CASE("multiclass policy: columns by prefix or by a list of classes") {
  const Policy prefixed = parse_policy_text(mc_policy());
  CHECK(prefixed.task == Task::multiclass);
  CHECK(prefixed.columns.multiclass());
  CHECK(prefixed.columns.class_columns[0].prefix == "a_");
  CHECK(prefixed.columns.class_columns[1].prefix == "b_");
  CHECK(prefixed.columns.classes.empty());  // the header will say
  CHECK(prefixed.columns.champion == "a_*");  // the name messages use

  const Policy listed = parse_policy_text(mc_policy(
      R"("label": "y", "classes": ["ant", "bee"], "champion": ["pa", "pb"], "challenger": {"prefix": "n_"})"));
  CHECK(listed.columns.classes == std::vector<std::string>{"ant", "bee"});
  CHECK(listed.columns.class_columns[0].columns == std::vector<std::string>{"pa", "pb"});
  CHECK(listed.columns.champion == "pa");
  // With classes given, a prefix names the columns prefix + class.
  const ColumnNames resolved = resolve_class_columns(listed.columns, {}, "memory");
  CHECK(resolved.class_columns[1].columns == std::vector<std::string>{"n_ant", "n_bee"});
}

TEST_CASE("multiclass policy: each column error at its JSON path") {
  check_error<PolicyError>([] { parse_policy_text(mc_policy(R"("label": "y", "champion": ["a", "b"], "challenger": ["c", "d"])")); },
                           {"$.columns.champion", "add \"classes\""});
  check_error<PolicyError>([] {
    parse_policy_text(mc_policy(R"("label": "y", "classes": ["x", "y2", "z"], "champion": ["a", "b"], "challenger": ["c", "d", "e"])"));
  }, {"$.columns.champion", "lists 2 columns for 3 classes"});
  check_error<PolicyError>([] {
    parse_policy_text(mc_policy(R"("label": "y", "champion": {"prefix": "a_", "sufix": "x"}, "challenger": {"prefix": "b_"})"));
  }, {"$.columns.champion.sufix"});
  check_error<PolicyError>([] {
    parse_policy_text(mc_policy(R"("label": "y", "champion": {"prefix": ""}, "challenger": {"prefix": "b_"})"));
  }, {"$.columns.champion.prefix", "must not be empty"});
  check_error<PolicyError>([] { parse_policy_text(mc_policy(R"("label": "y", "champion": "p", "challenger": {"prefix": "b_"})")); },
                           {"$.columns.champion", "prefix"});
  check_error<PolicyError>([] {
    parse_policy_text(mc_policy(R"("label": "y", "classes": ["x"], "champion": ["a"], "challenger": ["c"])"));
  }, {"$.columns.classes", "at least 2"});
  check_error<PolicyError>([] {
    parse_policy_text(mc_policy(R"("label": "y", "champion": {"prefix": "a_"}, "challenger": ["c", "d"])"));
  }, {"$.columns.challenger", "add \"classes\""});
  // Words of the binary task only.
  check_error<PolicyError>([] { parse_policy_text(mc_policy(kPrefixColumns + R"(, "positive_label": "x")")); },
                           {"$.columns.positive_label", "binary task"});
  const std::string binary_with_classes = R"({"version": 1, "task": "binary",
      "columns": {"label": "y", "classes": ["a", "b"], "champion": "s", "challenger": "t"},
      "rules": [{"id": "r", "metric": "roc_auc", "subject": "delta", "min": -1}]})";
  check_error<PolicyError>([&] { parse_policy_text(binary_with_classes); }, {"$.columns.classes", "multiclass"});
}

TEST_CASE("multiclass rules: average, class and k give one canonical figure name") {
  CHECK(metric_name_of(R"("metric": "f1", "average": "macro")") == "f1_macro");
  CHECK(metric_name_of(R"("metric": "precision", "average": "weighted")") == "precision_weighted");
  CHECK(metric_name_of(R"("metric": "recall", "class": "fraud")") == "recall[fraud]");
  CHECK(metric_name_of(R"("metric": "roc_auc", "average": "weighted")") == "roc_auc_weighted");
  CHECK(metric_name_of(R"("metric": "roc_auc")") == "roc_auc_macro");  // scikit-learn's default average
  CHECK(metric_name_of(R"("metric": "top_k_accuracy", "k": 3)") == "top_k_accuracy@3");
  CHECK(metric_name_of(R"("metric": "top_k_accuracy@3")") == "top_k_accuracy@3");
  CHECK(metric_name_of(R"("metric": "top_k_accuracy")") == "top_k_accuracy@2");  // scikit-learn's default k
  CHECK(metric_name_of(R"("metric": "cohen_kappa")") == "cohen_kappa");
}

TEST_CASE("multiclass rules: each parameter error at its JSON path") {
  const auto refused = [](const std::string& keys, std::initializer_list<std::string> fragments) {
    check_error<PolicyError>([&] { parse_policy_text(mc_policy(kPrefixColumns, rule(keys))); }, fragments);
  };
  refused(R"("metric": "f1", "average": "macro", "class": "cat")", {"$.rules[0]", "both \"average\" and \"class\""});
  refused(R"("metric": "roc_auc", "average": "micro")", {"$.rules[0].average", "\"micro\"", "macro", "weighted"});
  refused(R"("metric": "f1")", {"$.rules[0]", "add \"average\"", "\"class\""});
  refused(R"("metric": "precision")", {"$.rules[0]", "add \"average\""});
  refused(R"("metric": "f1", "average": "samples")", {"$.rules[0].average", "macro"});
  refused(R"("metric": "recall", "class": "")", {"$.rules[0].class", "must name a class"});
  refused(R"("metric": "roc_auc", "class": "cat")", {"$.rules[0].class", "does not apply", "roc_auc"});
  refused(R"("metric": "accuracy", "average": "macro")", {"$.rules[0].average", "does not apply", "accuracy"});
  refused(R"("metric": "accuracy", "k": 2)", {"$.rules[0].k", "does not apply"});
  refused(R"("metric": "top_k_accuracy@3", "k": 3)", {"$.rules[0].k", "repeats the k"});
  for (const std::string bad : {"top_k_accuracy@0", "top_k_accuracy@x", "top_k_accuracy@03", "top_k_accuracy@",
                                "top_k_accuracy@2.5", "top_k_accuracy@1000001"}) {
    CAPTURE(bad);
    refused(R"("metric": ")" + bad + R"(")", {"$.rules[0].metric", "whole number from 1 to 1000000"});
  }
  for (const std::string bad : {"0", "\"3\"", "2.5", "-1", "1000001"}) {
    CAPTURE(bad);
    refused(R"("metric": "top_k_accuracy", "k": )" + bad, {"$.rules[0].k", "whole number from 1 to 1000000"});
  }
  // "@k" belongs to metrics that take k.
  refused(R"("metric": "accuracy@3")", {"$.rules[0].metric", "not a known metric"});
  // A metric of another task names its task.
  refused(R"("metric": "rmse")", {"$.rules[0].metric", "regression metric", "\"multiclass\""});
  refused(R"("metric": "specificity")", {"$.rules[0].metric", "binary metric", "\"multiclass\""});
  refused(R"("metric": "pass_rate")", {"$.rules[0].metric", "outcome metric"});
}

TEST_CASE("multiclass rules: the parameters are refused on the binary task's metrics") {
  const auto binary = [](const std::string& keys) {
    return R"({"version": 1, "task": "binary", "columns": {"label": "y", "champion": "s", "challenger": "t"},
               "rules": [)" + rule(keys) + "]}";
  };
  check_error<PolicyError>([&] { parse_policy_text(binary(R"("metric": "f1", "average": "macro")")); },
                           {"$.rules[0].average", "does not apply to \"f1\"", "\"binary\" task"});
  check_error<PolicyError>([&] { parse_policy_text(binary(R"("metric": "recall", "class": "1")")); },
                           {"$.rules[0].class", "\"binary\" task"});
  check_error<PolicyError>([&] { parse_policy_text(binary(R"("metric": "top_k_accuracy", "k": 2)")); },
                           {"$.rules[0].metric", "multiclass metric", "\"binary\""});
}

TEST_CASE("multiclass: Policy::metrics is the defaults in order, then each new figure a rule names, once") {
  const Policy p = parse_policy_text(mc_policy(
      kPrefixColumns, R"({"id": "a", "metric": "recall", "class": "cat", "subject": "delta", "min": -1},
                         {"id": "b", "metric": "f1", "average": "macro", "subject": "delta", "min": -1},
                         {"id": "c", "metric": "top_k_accuracy@3", "subject": "delta", "min": -1},
                         {"id": "d", "metric": "recall", "class": "cat", "subject": "challenger", "min": 0},
                         {"id": "e", "metric": "top_k_accuracy", "subject": "delta", "min": -1},
                         {"id": "f", "metric": "roc_auc", "subject": "delta", "min": -1})"));
  std::vector<std::string> names;
  for (const MetricInstance& m : p.metrics) names.push_back(m.name);
  std::vector<std::string> expected = kDefaultFigures;
  expected.push_back("recall[cat]");
  expected.push_back("top_k_accuracy@3");
  CHECK(names == expected);
  CHECK(p.rules[0].metric_index == 18);
  CHECK(p.rules[1].metric_index == 11);  // f1_macro is a default
  CHECK(p.rules[2].metric_index == 19);
  CHECK(p.rules[3].metric_index == 18);  // the same figure as rule a
  CHECK(p.rules[4].metric_index == 2);   // top_k_accuracy@2
  CHECK(p.rules[5].metric_index == 16);  // roc_auc_macro
}

TEST_CASE("multiclass: class order is numeric when every class reads as an integer, else by bytes") {
  const Policy p = parse_policy_text(mc_policy());
  const auto classes_of = [&](const std::vector<std::string>& suffixes) {
    std::vector<std::string> header{"y"};
    for (const std::string& s : suffixes) header.push_back("a_" + s);
    for (const std::string& s : suffixes) header.push_back("b_" + s);
    return resolve_class_columns(p.columns, header, "memory").classes;
  };
  // np.unique over integers: 2 before 10 (bytes would put "10" first).
  CHECK(classes_of({"10", "2", "1"}) == std::vector<std::string>{"1", "2", "10"});
  CHECK(classes_of({"3", "-1", "0"}) == std::vector<std::string>{"-1", "0", "3"});
  // np.unique over strings: code point (UTF-8 byte) order, capitals first, é after z.
  CHECK(classes_of({"b", "a", "B", "10", "\xc3\xa9", "z"}) ==
        std::vector<std::string>{"10", "B", "a", "b", "z", "\xc3\xa9"});
  // One name that is not an integer makes the order bytes for all.
  CHECK(classes_of({"10", "2", "x"}) == std::vector<std::string>{"10", "2", "x"});
  CHECK(classes_of({"2.5", "10"}) == std::vector<std::string>{"10", "2.5"});
}

TEST_CASE("multiclass: a prefix finds its columns in the header, and both models name the same classes") {
  const Policy p = parse_policy_text(mc_policy());
  const ColumnNames c = resolve(p.columns, {"b_dog", "y", "a_dog", "a_cat", "b_cat", "a_", "a"});
  CHECK(c.classes == std::vector<std::string>{"cat", "dog"});  // "a_" and "a" have no suffix
  CHECK(c.class_columns[0].columns == std::vector<std::string>{"a_cat", "a_dog"});
  CHECK(c.class_columns[1].columns == std::vector<std::string>{"b_cat", "b_dog"});

  // The challenger lacks a class the champion's columns name, or has one more.
  check_error<DataError>([&] { resolve(p.columns, {"y", "a_cat", "a_dog", "b_cat"}); },
                         {"eval.csv", "1 column(s)", "challenger's prefix"});
  check_error<DataError>([&] { resolve(p.columns, {"y", "a_cat", "a_dog", "b_cat", "b_dog", "b_eel"}); },
                         {"eval.csv", "prefixes name different classes", "2 and 3 columns"});
  // Fewer than two columns with the prefix.
  check_error<DataError>([&] { resolve(p.columns, {"y", "a_cat", "b_cat", "b_dog"}); },
                         {"eval.csv", "1 column(s)", "champion's prefix", "$.columns.champion.prefix", "at least 2"});
  check_error<DataError>([&] { resolve(p.columns, {"y", "b_cat", "b_dog"}); },
                         {"0 column(s)", "champion"});
  // A listed column that the header lacks.
  const Policy listed = parse_policy_text(mc_policy(
      R"("label": "y", "classes": ["cat", "dog"], "champion": ["pc", "pd"], "challenger": ["nc", "nd"])"));
  check_error<DataError>([&] { resolve(listed.columns, {"y", "pc", "pd", "nc"}); },
                         {"no column \"nd\"", "challenger"});
  // The CSV reader resolves the prefix from the file's header.
  referee_test::TempFile csv("y,a_2,a_10,b_2,b_10\n10,0.4,0.6,0.1,0.9\n2,0.7,0.3,0.8,0.2\n2.0,0.5,0.5,0.6,0.4\n");
  const Table t = read_table_csv(csv.path(), p.columns, Task::multiclass);
  CHECK(t.columns.classes == std::vector<std::string>{"2", "10"});
  CHECK(std::vector<double>(t.label.begin(), t.label.end()) == std::vector<double>{1, 0, 0});
}

TEST_CASE("multiclass: labels match a class by text, or by number when both read as numbers") {
  const Policy p = parse_policy_text(mc_policy());
  const std::vector<std::string> header{"y", "a_1", "a_3", "a_10", "b_1", "b_3", "b_10"};
  const auto labels_of = [&](const std::vector<std::string>& labels) {
    Rows rows;
    rows.labels = labels;
    for (std::size_t m = 0; m < 2; ++m) rows.probabilities[m].assign(labels.size(), {0.2, 0.3, 0.5});
    BuiltTable built;
    build(built, p, rows, header);
    return std::vector<double>(built.table.label.begin(), built.table.label.end());
  };
  // Classes 1, 3, 10: "3.0" and "1e1" read as the numbers 3 and 10.
  CHECK(labels_of({"3", "3.0", "10", "1e1", "1", "1.00"}) == std::vector<double>{1, 1, 2, 2, 0, 0});

  const auto refused = [&](const std::vector<std::string>& labels, std::initializer_list<std::string> fragments,
                           const std::string& secret) {
    bool thrown = false;
    try {
      labels_of(labels);
    } catch (const DataError& e) {
      thrown = true;
      const std::string what = e.what();
      for (const std::string& fragment : fragments)
        CHECK_MESSAGE(what.find(fragment) != std::string::npos, what << " lacks " << fragment);
      CHECK_MESSAGE(what.find(secret) == std::string::npos, what << " shows the value " << secret);
    }
    CHECK(thrown);
  };
  refused({"1", "3", "zebra42"}, {"memory", "row 3", "column \"y\"", "not one of the 3 classes"}, "zebra42");
  refused({"1", "3.5", "3"}, {"row 2", "column \"y\"", "not one of the 3 classes"}, "3.5");
  check_error<DataError>([&] { labels_of({"1", "", "3"}); }, {"row 2", "column \"y\"", "the label is missing"});

  // Text classes match by exact text only.
  Rows rows;
  rows.labels = {"cat", "Cat"};
  for (std::size_t m = 0; m < 2; ++m) rows.probabilities[m].assign(2, {0.5, 0.5});
  BuiltTable built;
  check_error<DataError>([&] { build(built, p, rows, {"y", "a_cat", "a_dog", "b_cat", "b_dog"}); },
                         {"row 2", "not one of the 2 classes"});
}

TEST_CASE("multiclass: a probability that is not finite or outside [0, 1] is refused by row and column") {
  const Policy p = parse_policy_text(mc_policy());
  Rows rows = worked_rows();
  rows.weight.clear();
  rows.probabilities[1][4][2] = 1.25;
  BuiltTable built;
  bool thrown = false;
  try {
    build(built, p, rows, kWorkedHeader);
  } catch (const DataError& e) {
    thrown = true;
    const std::string what = e.what();
    CHECK(what.find("row 5") != std::string::npos);
    CHECK(what.find("\"b_cat\"") != std::string::npos);
    CHECK(what.find("[0, 1]") != std::string::npos);
    CHECK(what.find("1.25") == std::string::npos);
  }
  CHECK(thrown);
  rows.probabilities[1][4][2] = std::nan("");
  check_error<DataError>([&] { build(built, p, rows, kWorkedHeader); }, {"row 5", "\"b_cat\"", "not a finite number"});
}

TEST_CASE("multiclass: every default figure of a hand-worked table, weighted") {
  const Policy p = parse_policy_text(worked_policy());
  BuiltTable built;
  build(built, p, worked_rows(), kWorkedHeader);
  CHECK(built.table.columns.classes == std::vector<std::string>{"ant", "bee", "cat"});
  const Evaluation ev = evaluate(built.table, p);
  const auto champion = [&](const std::string& name) { return ev.metrics[0][figure(p, name)].point; };
  const auto challenger = [&](const std::string& name) { return ev.metrics[1][figure(p, name)].point; };
  const auto value = [&](const std::string& name) {
    const MetricValue v = champion(name);
    CHECK_MESSAGE(v.defined, name << " is undefined: " << v.reason);
    return v.value;
  };
  const auto near = [](double x) { return doctest::Approx(x).epsilon(1e-14); };

  // Correct weight 7 of 10; top-1 differs from the argmax on the two tied rows: row 2 (w 2)
  // is right by argmax but bee ranks first; row 7 (w 1) the reverse. So top-1 = 6 / 10.
  CHECK(value("accuracy") == near(0.7));
  CHECK(value("top_k_accuracy@1") == near(0.6));
  CHECK(value("top_k_accuracy@2") == near(0.9));  // all but row 8 (w 1)
  // Recall per class: ant 3/4, bee 4/4, cat 0/2; balanced accuracy is their mean.
  CHECK(value("balanced_accuracy") == near(7.0 / 12.0));
  // Log loss: the weighted mean of -ln p(label).
  const double loss = -(1 * std::log(0.7) + 2 * std::log(0.4) + 1 * std::log(0.3) + 1 * std::log(0.5) +
                        2 * std::log(0.7) + 1 * std::log(0.8) + 1 * std::log(0.4) + 1 * std::log(0.15)) / 10.0;
  CHECK(value("log_loss") == near(loss));
  // Brier, K = 3 (no halving): sum over classes of (1[label] - p)^2 per row:
  // 0.14, 0.56 (w 2), 0.86, 0.38, 0.14 (w 2), 0.06, 0.56, 1.095; weighted sum 4.495.
  CHECK(value("brier") == near(0.4495));
  // Precision per class: ant 3/5, bee 4/5, cat 0/0 (undefined; 0 in the averages).
  CHECK(value("precision_macro") == near((0.6 + 0.8 + 0.0) / 3.0));
  CHECK(value("precision_micro") == near(0.7));
  CHECK(value("precision_weighted") == near((4 * 0.6 + 4 * 0.8 + 2 * 0.0) / 10.0));
  CHECK(value("recall_macro") == near(7.0 / 12.0));
  CHECK(value("recall_micro") == near(0.7));
  CHECK(value("recall_weighted") == near(0.7));
  // F1 per class = 2 correct / (truth + predicted): ant 6/9, bee 8/9, cat 0/2.
  CHECK(value("f1_macro") == near((6.0 / 9.0 + 8.0 / 9.0 + 0.0) / 3.0));
  CHECK(value("f1_micro") == near(0.7));
  CHECK(value("f1_weighted") == near((4 * 6.0 / 9.0 + 4 * 8.0 / 9.0) / 10.0));
  // Cohen's kappa: observed agreement 0.7, expected 0.4 * 0.5 + 0.4 * 0.5 + 0.2 * 0 = 0.4.
  CHECK(value("cohen_kappa") == near((0.7 - 0.4) / (1.0 - 0.4)));
  // MCC (Gorodkin): (c s - sum t_k p_k) / sqrt((s^2 - sum p_k^2)(s^2 - sum t_k^2))
  // = (7 * 10 - 40) / sqrt((100 - 50)(100 - 36)).
  CHECK(value("mcc") == near(30.0 / std::sqrt(50.0 * 64.0)));
  // One-vs-rest AUC, weighted pairs (a tie counts one half):
  //   ant: positives rows 1-3 (0.7 w1, 0.4 w2, 0.3 w1) against 0.2 w1, 0.2 w2, 0.1 w1,
  //        0.4 w1, 0.5 w1: 6 + 2 * 4.5 + 4 = 19 of 4 * 6;
  //   bee: positives 0.5 w1, 0.7 w2, 0.8 w1 against 0.2 w1, 0.4 w2, 0.6 w1, 0.2 w1,
  //        0.35 w1: 5 + 2 * 6 + 6 = 23 of 24;
  //   cat: positives 0.4 w1, 0.15 w1 against 0.1 w1, 0.2 w2, 0.1 w1, 0.3 w1, 0.1 w2,
  //        0.1 w1: 8 + 5 = 13 of 2 * 8.
  CHECK(value("roc_auc_macro") == near((19.0 / 24.0 + 23.0 / 24.0 + 13.0 / 16.0) / 3.0));
  CHECK(value("roc_auc_weighted") == near((4 * 19.0 / 24.0 + 4 * 23.0 / 24.0 + 2 * 13.0 / 16.0) / 10.0));

  // Per class: nobody predicts cat, so its precision is undefined (scikit-learn's
  // zero_division case) while its recall is 0 and its F1 2 * 0 / (2 + 0) = 0.
  CHECK_FALSE(champion("precision[cat]").defined);
  CHECK(champion("precision[cat]").reason == "no rows predicted as the class");
  CHECK(value("recall[cat]") == 0.0);
  CHECK(value("f1[bee]") == near(8.0 / 9.0));

  // The challenger is perfect: log loss is -ln(1 - eps) after scikit-learn's clipping.
  for (const std::string& name : kDefaultFigures) {
    CAPTURE(name);
    REQUIRE(challenger(name).defined);
    const double expected = name == "brier" ? 0.0 : name == "log_loss" ? -std::log(1.0 - DBL_EPSILON) : 1.0;
    CHECK(challenger(name).value == near(expected));
  }
  // The delta is challenger - champion, figure by figure.
  CHECK(ev.metrics[2][figure(p, "accuracy")].point.value == near(1.0 - 0.7));
  CHECK(ev.metrics[2][figure(p, "f1_macro")].point.value == near(1.0 - 14.0 / 27.0));
  CHECK_FALSE(ev.metrics[2][figure(p, "precision[cat]")].point.defined);
}

TEST_CASE("multiclass: without weights, the tied rows still go to the first class") {
  // The hand-worked rows unweighted: correct are rows 1, 2, 4, 5, 6 (5 of 8); a
  // prediction of cat on row 7's tie (or bee on row 2's) would change it.
  const Policy p = parse_policy_text(mc_policy());
  Rows rows = worked_rows();
  rows.weight.clear();
  BuiltTable built;
  build(built, p, rows, kWorkedHeader);
  const Evaluation ev = evaluate(built.table, p);
  CHECK(ev.metrics[0][figure(p, "accuracy")].point.value == doctest::Approx(5.0 / 8.0).epsilon(1e-15));
  // Recall ant 2/3, bee 3/3, cat 0/2.
  CHECK(ev.metrics[0][figure(p, "balanced_accuracy")].point.value ==
        doctest::Approx((2.0 / 3.0 + 1.0) / 3.0).epsilon(1e-15));
}

TEST_CASE("multiclass: a rule's class must be one of the data's classes") {
  const Policy p = parse_policy_text(mc_policy(kPrefixColumns, rule(R"("metric": "recall", "class": "dog")")));
  BuiltTable built;
  Rows rows = worked_rows();
  rows.weight.clear();
  build(built, p, rows, kWorkedHeader);
  check_error<PolicyError>([&] { evaluate(built.table, p); }, {"recall[dog]", "not among the 3 classes"});
}

TEST_CASE("multiclass: a probability block, row-major or column-major, gives the same report as columns") {
  const Policy p = parse_policy_text(worked_policy());
  const auto report = [&](Layout layout) {
    BuiltTable built;
    build(built, p, worked_rows(), kWorkedHeader, layout);
    nlohmann::ordered_json r = report_json(evaluate(built.table, p));
    r.erase("run");
    return r.dump();
  };
  const std::string columns = report(Layout::columns);
  CHECK(report(Layout::row_major_block) == columns);
  CHECK(report(Layout::column_major_block) == columns);
  CHECK(columns.find("\"precision[cat]\"") != std::string::npos);
}

TEST_CASE("multiclass: the report lists the default figures in order, then the rule-named ones") {
  const Policy p = parse_policy_text(worked_policy());
  BuiltTable built;
  build(built, p, worked_rows(), kWorkedHeader);
  const nlohmann::ordered_json r = report_json(evaluate(built.table, p));
  std::vector<std::string> expected = kDefaultFigures;
  for (const char* name : {"precision[cat]", "recall[cat]", "f1[bee]", "top_k_accuracy@1"}) expected.push_back(name);
  for (const char* subject : {"champion", "challenger", "delta", "relative_delta"}) {
    CAPTURE(subject);
    std::vector<std::string> names;
    for (const auto& item : r["metrics"][subject].items()) names.push_back(item.key());
    CHECK(names == expected);
  }
  CHECK(r["rules"][0]["metric"] == "precision[cat]");
  CHECK(r["rules"][3]["metric"] == "top_k_accuracy@1");
}

TEST_CASE("multiclass: with two classes the Brier score is halved, as the binary one") {
  // Classes no, yes. Rows (p_no, p_yes; label): (0.8, 0.2; no), (0.3, 0.7; yes),
  // (0.6, 0.4; yes). Squared errors summed over both classes: 0.08, 0.18, 0.72; halved
  // (scikit-learn's scale_by_half for K = 2) they are the binary (y - p_yes)^2: 0.04,
  // 0.09, 0.36.
  const Policy p = parse_policy_text(mc_policy());
  Rows rows;
  rows.labels = {"no", "yes", "yes"};
  rows.probabilities[0] = {{0.8, 0.2}, {0.3, 0.7}, {0.6, 0.4}};
  rows.probabilities[1] = rows.probabilities[0];
  BuiltTable built;
  build(built, p, rows, {"y", "a_no", "a_yes", "b_no", "b_yes"});
  const Evaluation ev = evaluate(built.table, p);
  CHECK(ev.metrics[0][figure(p, "brier")].point.value == doctest::Approx((0.04 + 0.09 + 0.36) / 3.0).epsilon(1e-14));
  // k >= K: every label is among the top k (row 3's label ranks second).
  CHECK(ev.metrics[0][figure(p, "top_k_accuracy@2")].point.value == 1.0);
  CHECK(ev.metrics[0][figure(p, "accuracy")].point.value == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
}

TEST_CASE("multiclass: a segment's figures are those of its rows alone, over the classes present in it") {
  // The hand-worked rows, ten copies of each, in two bands (rows 1-4 in x, 5-8 in y); with
  // a cluster key per row, a resample weighs a row the same in the whole table and in its
  // band alone, so a band's figures and percentile intervals equal a separate evaluation
  // of its rows. Copies scale every weighted count by 10 and leave each figure as it is.
  const std::string columns = kPrefixColumns + R"(, "weight": "w", "cluster": "id", "segments": ["band"])";
  const Policy p = parse_policy_text(R"({"version": 1, "task": "multiclass", "columns": {)" + columns +
                                     R"(}, "bootstrap": {"resamples": 300, "seed": 5, "interval": "percentile"},
      "rules": [{"id": "acc", "metric": "accuracy", "subject": "delta", "min": -1}]})");
  const Rows once = worked_rows();
  std::array<Rows, 2> bands;  // x, y
  std::array<TextColumns, 2> band_text;
  Rows whole_rows;
  TextColumns whole_text{{{"id", {}}, {"band", {}}}};
  for (std::size_t copy = 0; copy < 10; ++copy)
    for (std::size_t r = 0; r < 8; ++r) {
      const std::size_t b = r < 4 ? 0 : 1;
      const std::string id = std::to_string(copy) + "-" + std::to_string(r);
      for (Rows* rows : {&bands[b], &whole_rows}) {
        rows->labels.push_back(once.labels[r]);
        rows->weight.push_back(once.weight[r]);
        for (std::size_t m = 0; m < 2; ++m) rows->probabilities[m].push_back(once.probabilities[m][r]);
      }
      whole_text.columns[0].second.push_back(id);
      whole_text.columns[1].second.push_back(b == 0 ? "x" : "y");
      if (band_text[b].columns.empty()) band_text[b].columns = {{"id", {}}, {"band", {}}};
      band_text[b].columns[0].second.push_back(id);
      band_text[b].columns[1].second.push_back(b == 0 ? "x" : "y");
    }
  std::vector<std::string> header = kWorkedHeader;
  header.insert(header.end(), {"id", "band"});
  BuiltTable whole;
  build(whole, p, whole_rows, header, Layout::columns, whole_text);
  const Evaluation ev = evaluate(whole.table, p);
  REQUIRE(ev.segments.size() == 1);
  const SegmentResult& y = ev.segments[0].segments.at(1);
  REQUIRE(y.value == std::vector<std::string>{"y"});

  // Band y, the champion: rows 5 (bee, w 2), 6 (bee), 7 and 8 (cat), predicted bee, bee,
  // ant, ant. Present: ant (predicted only), bee, cat (labelled only). Recall: ant 0/0
  // (0 in the average), bee 3/3, cat 0/2; precision: ant 0/2, bee 3/3, cat 0/0 (0).
  const auto band = [&](const std::string& name) { return y.metrics[0][figure(p, name)].point; };
  CHECK(band("accuracy").value == doctest::Approx(0.6).epsilon(1e-14));
  CHECK(band("recall_macro").value == doctest::Approx(1.0 / 3.0).epsilon(1e-14));
  CHECK(band("precision_macro").value == doctest::Approx(1.0 / 3.0).epsilon(1e-14));
  CHECK(band("balanced_accuracy").value == doctest::Approx(0.5).epsilon(1e-14));  // bee and cat only
  CHECK_FALSE(band("roc_auc_macro").defined);  // no ant rows: one-vs-rest needs every class
  CHECK(band("roc_auc_macro").reason == "a class has no rows (one-vs-rest needs every class)");

  std::size_t intervals = 0;
  for (std::size_t b = 0; b < 2; ++b) {
    BuiltTable separate;
    build(separate, p, bands[b], header, Layout::columns, band_text[b]);
    const Evaluation alone = evaluate(separate.table, p);
    const SegmentResult& segment = ev.segments[0].segments.at(b);
    for (std::size_t s = 0; s < 3; ++s)
      for (std::size_t i = 0; i < p.metrics.size(); ++i) {
        CAPTURE(b);
        CAPTURE(p.metrics[i].name);
        const Estimate &a = segment.metrics[s][i], &c = alone.metrics[s][i];
        REQUIRE(a.point.defined == c.point.defined);
        if (!a.point.defined) continue;
        CHECK(a.point.value == c.point.value);
        REQUIRE(a.ci.defined == c.ci.defined);
        if (!a.ci.defined) continue;
        CHECK(a.ci.lo == c.ci.lo);
        CHECK(a.ci.hi == c.ci.hi);
        ++intervals;
      }
  }
  CHECK(intervals > 60);  // most figures of both bands have an interval to compare
}
