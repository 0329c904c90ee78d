// referee: the command-line gate. Its exit code is what blocks a merge in CI/CD:
//   0 PASS or WARN, 1 FAIL, 2 INCONCLUSIVE,
//   64 usage error, 65 bad data or policy, 74 I/O error, 70 internal error (sysexits.h).

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "common/did_you_mean.hpp"
#include "common/quoted.hpp"
#include "common/exit_codes.hpp"
#include "common/option_ranges.hpp"
#include <referee/error.hpp>
#include <referee/limits.hpp>
#include "io/atomic_file.hpp"
#include "io/input_file.hpp"
#include <referee/evaluate.hpp>
#include <referee/render.hpp>
#include <referee/version.h>
#include "cases/policy_cases.hpp"
#include "cli/interrupt.hpp"
#include "cli/markdown_append.hpp"
#include "cli/progress.hpp"
#include "cli/verdict_line.hpp"
#include "render/attestation.hpp"
#include "render/escape.hpp"
#include "render/report_diff.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

namespace {

using referee::ExitCode;
constexpr int kPass = referee::exit_code(ExitCode::pass);
constexpr int kFail = referee::exit_code(ExitCode::fail);
constexpr int kInternal = referee::exit_code(ExitCode::internal);

constexpr const char* kUsageText =
    "usage: referee run --data eval.csv --policy gate.json [--report report.json]\n"
    "                   [--markdown report.md] [--markdown-append summary.md] [--html report.html]\n"
    "                   [--latency latency.csv] [--reference reference.csv]\n"
    "                   [--seed N] [--threads N] [--quiet] [--progress | --no-progress]\n"
    "                   [--limit NAME=VALUE]...\n"
    "                   [--attestation statement.json [--subject NAME=sha256:HEX]...]\n"
    "       referee verify --report report.json --data eval.csv --policy gate.json\n"
    "                   [--latency latency.csv] [--reference reference.csv] [--threads N]\n"
    "                   [--progress | --no-progress] [--limit NAME=VALUE]...\n"
    "                   [--attestation statement.json [--subject ...]...]\n"
    "       referee validate --policy gate.json [--limit NAME=VALUE]...\n"
    "       referee test --policy gate.json --cases cases.json [--limit NAME=VALUE]...\n"
    "       referee sagemaker [--fail-on-verdict]   (the SageMaker Processing entrypoint)\n"
    "       referee --version\n"
    "\n"
    "--quiet:    print only the verdict line (the verdict, its exit code, the rules behind it)\n"
    "--progress: a progress bar with an ETA on stderr, drawn by default when stderr is a\n"
    "            terminal; forced into a file or pipe, one line per 10%; --no-progress: none\n"
    "--markdown-append PATH: add the Markdown report after what PATH holds (created if\n"
    "            absent); --markdown PATH appends too when PATH is $GITHUB_STEP_SUMMARY\n"
    "\n"
    "exit codes: 0 PASS or WARN (test: every case holds; verify: reproduced),\n"
    "            1 FAIL (test: a case does not; verify: a difference),\n"
    "            2 INCONCLUSIVE, 64 usage error,\n"
    "            65 bad data or policy, 74 I/O error, 70 internal error, 130 interrupted (Ctrl-C)\n"
    "limits:     max_policy_bytes, max_json_depth, max_rules, max_segment_values,\n"
    "            max_field_bytes, max_record_bytes, max_report_bytes (docs/security.md)\n";

struct Arguments {
  std::map<std::string, std::string> values;
  referee::Limits limits;  // the defaults, as changed by each --limit NAME=VALUE
  std::vector<referee::AttestationSubject> subjects;  // each --subject NAME=sha256:HEX
  bool quiet = false;
  std::optional<bool> progress;  // --progress (true) or --no-progress (false), if given
};

// The options that take no value.
bool is_flag(const std::string& name) { return name == "quiet" || name == "progress" || name == "no-progress"; }

void set_flag(Arguments& parsed, const std::string& name) {
  if (name == "quiet") {
    parsed.quiet = true;
    return;
  }
  const bool on = name == "progress";
  if (parsed.progress.has_value() && *parsed.progress != on)
    throw referee::UsageError("--progress and --no-progress contradict each other; give one");
  parsed.progress = on;
}

// --name value or --name=value; every option but the flags (--quiet, --progress,
// --no-progress) takes a value, and every one but --limit and --subject is given at most once.
Arguments parse_options(const std::vector<std::string>& args, const std::vector<std::string>& allowed) {
  Arguments parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg.rfind("--", 0) != 0) throw referee::UsageError("unexpected argument \"" + arg + "\"");
    std::string name = arg.substr(2), value;
    const auto eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      throw referee::UsageError("unknown option --" + name + referee::did_you_mean(name, allowed));
    if (is_flag(name)) {
      set_flag(parsed, name);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) throw referee::UsageError("--" + name + " needs a value");
      value = args[++i];
    }
    if (name == "limit") {
      referee::set_limit(parsed.limits, value);
      continue;
    }
    if (name == "subject") {
      parsed.subjects.push_back(referee::parse_subject_option(value));
      continue;
    }
    if (parsed.values.count(name)) throw referee::UsageError("--" + name + " is given twice");
    parsed.values[name] = value;
  }
  return parsed;
}

const std::string& required(const Arguments& a, const std::string& name) {
  const auto it = a.values.find(name);
  if (it == a.values.end()) throw referee::UsageError("--" + name + " is required");
  return it->second;
}

// An integer option, its range and wording from the one table (common/option_ranges.hpp).
std::optional<std::uint64_t> integer_option(const Arguments& a, const std::string& name, std::string_view rule) {
  const auto it = a.values.find(name);
  if (it == a.values.end()) return std::nullopt;
  std::uint64_t v{};
  const std::string& text = it->second;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    throw referee::UsageError("--" + name + " " + std::string(rule) + ", got " + referee::quoted_excerpt(text));
  return v;
}

std::optional<std::string> optional_value(const Arguments& a, const std::string& name) {
  const auto it = a.values.find(name);
  if (it == a.values.end()) return std::nullopt;
  return it->second;
}

// The inputs `run` and `verify` share: the policy, the data, a load test's latency and a
// drift reference, read as `run` reads them, then the evaluation itself.
referee::Evaluation evaluate_inputs(const Arguments& a, referee::EvaluateOptions options) {
  options.limits = a.limits;
  if (auto threads = integer_option(a, "threads", referee::kThreadsRange)) {
    if (!referee::threads_in_range(*threads)) throw referee::UsageError("--threads " + std::string(referee::kThreadsRange));
    options.threads = static_cast<unsigned>(*threads);
  }
  const referee::Policy policy = referee::load_policy(required(a, "policy"), a.limits);
  const referee::Table table = referee::read_table_csv(required(a, "data"), policy.columns, policy.task, a.limits);
  // Latency from a load test (columns model, latency_ms) instead of $.columns.latency.
  std::optional<referee::LatencySamples> latency;
  if (const auto path = optional_value(a, "latency")) {
    latency = referee::read_latency_csv(*path, a.limits);
    options.latency_samples = &*latency;
  }
  const auto reference_option = optional_value(a, "reference");
  if (reference_option && !policy.drift.enabled)
    throw referee::UsageError("--reference replaces the policy's drift reference, but the policy has no \"drift\" block");
  std::optional<std::filesystem::path> reference_path;
  if (reference_option) reference_path = *reference_option;
  std::optional<referee::DriftReference> reference;
  if (policy.drift.enabled) {
    reference = referee::read_drift_reference(policy, reference_path, a.limits);
    options.drift_reference = &*reference;
  }
  return referee::evaluate(table, policy, options);
}

// --attestation needs the report it attests; its subjects after the data file: the policy
// file's bytes, then each --subject. Checked and hashed before the work starts.
std::vector<referee::AttestationSubject> attestation_subjects(const Arguments& a) {
  if (!a.values.count("attestation")) {
    if (!a.subjects.empty()) throw referee::UsageError("--subject is given without --attestation");
    return {};
  }
  if (!a.values.count("report")) throw referee::UsageError("--attestation needs --report: it attests the report's bytes");
  std::vector<referee::AttestationSubject> subjects{
      referee::file_subject(required(a, "policy"), a.limits, "policy")};
  subjects.insert(subjects.end(), a.subjects.begin(), a.subjects.end());
  return subjects;
}

std::string report_name(const Arguments& a) {
  return std::filesystem::path(required(a, "report")).filename().string();
}

using Renderer = std::string (*)(const referee::Evaluation&);

// An output the run writes: which option asked for it, its path, what renders it, and
// whether it is added after the file's content (markdown_append.hpp) or replaces it.
struct PlannedOutput {
  std::string option, path;
  Renderer render;
  bool append;
};

// Every output is checked before any work: distinct paths, each absent or a regular file
// in a writable directory (and readable, to append to). They land together after the
// evaluation, or none does.
std::vector<PlannedOutput> plan_outputs(const Arguments& a, referee::OutputSet& outputs) {
  const std::array<std::pair<const char*, Renderer>, 4> formats{{{"report", &referee::report_text},
                                                                {"markdown", &referee::markdown_report},
                                                                {"markdown-append", &referee::markdown_report},
                                                                {"html", &referee::html_report}}};
  std::vector<PlannedOutput> planned;
  for (const auto& [option, render] : formats) {
    const auto path = optional_value(a, option);
    if (!path) continue;
    const bool append = std::string(option) == "markdown-append" ||
                        (std::string(option) == "markdown" && referee::cli::is_step_summary(*path));
    outputs.add("--" + std::string(option), *path);
    if (append) referee::cli::check_appendable(*path);
    planned.push_back({option, *path, render, append});
  }
  return planned;
}

// The evaluation with the progress display and Ctrl-C wired to the core's callback and
// cancel flag. --quiet draws no bar unless --progress asks for one.
referee::Evaluation evaluate_with_progress(const Arguments& a, referee::EvaluateOptions options) {
  const std::optional<bool> forced = a.quiet && !a.progress ? std::optional<bool>(false) : a.progress;
  referee::cli::ProgressBar bar(referee::cli::progress_mode(forced, STDERR_FILENO));
  const referee::cli::InterruptScope interrupt;
  options.progress = bar.callback();
  options.cancel = interrupt.flag();
  referee::Evaluation evaluation = evaluate_inputs(a, options);
  interrupt.throw_if_interrupted();  // Ctrl-C in a step the core does not poll: still nothing written
  return evaluation;
}

void print_summary(const Arguments& a, const referee::Evaluation& evaluation) {
  if (a.quiet) {
    std::cout << referee::cli::verdict_line(evaluation);
  } else {
    std::cout << referee::summary_text(evaluation);
    if (const auto path = optional_value(a, "report")) std::cout << "report:  " << *path << "\n";
  }
  // A summary that did not reach its reader is an I/O failure, not a result.
  if (!std::cout.flush()) throw referee::IoError("standard output: cannot write the summary");
}

int run_command(const std::vector<std::string>& args) {
  const Arguments a = parse_options(args, {"data", "policy", "report", "markdown", "markdown-append", "html",
                                           "latency", "reference", "seed", "threads", "quiet", "progress",
                                           "no-progress", "limit", "attestation", "subject"});
  required(a, "data");
  required(a, "policy");
  referee::EvaluateOptions options;
  options.seed = integer_option(a, "seed", referee::kSeedRange);

  referee::OutputSet outputs;
  const std::vector<PlannedOutput> planned = plan_outputs(a, outputs);
  const std::vector<referee::AttestationSubject> subjects = attestation_subjects(a);
  if (const auto path = optional_value(a, "attestation")) outputs.add("--attestation", *path);

  const referee::Evaluation evaluation = evaluate_with_progress(a, options);
  std::vector<std::string> rendered;
  for (const PlannedOutput& output : planned) {
    const std::string text = output.render(evaluation);
    rendered.push_back(output.append ? referee::cli::appended(output.path, text, a.limits) : text);
  }
  // The report is rendered first (formats), and the statement attests those very bytes.
  if (a.values.count("attestation"))
    rendered.push_back(referee::attestation_text({report_name(a), rendered.front(), subjects, false}));
  outputs.write_all(rendered, a.limits);
  print_summary(a, evaluation);
  return referee::exit_code(referee::exit_code_of(evaluation.verdict));
}

// Re-runs the evaluation a stored report records, with the seed it records, and compares
// the fresh report with it byte for byte outside "run" (render/report_diff.hpp): 0 when
// reproduced (whatever the verdict), 1 naming the first difference.
int verify_command(const std::vector<std::string>& args) {
  const Arguments a = parse_options(args, {"report", "data", "policy", "latency", "reference", "threads", "progress",
                                           "no-progress", "limit", "attestation", "subject"});
  const std::string& report_path = required(a, "report");
  required(a, "data");
  required(a, "policy");
  referee::OutputSet outputs;
  const std::vector<referee::AttestationSubject> subjects = attestation_subjects(a);
  if (const auto path = optional_value(a, "attestation")) outputs.add("--attestation", *path);
  const referee::StoredReport stored = referee::read_stored_report(report_path, a.limits);

  referee::EvaluateOptions options;
  options.seed = referee::stored_seed(stored);
  const referee::Evaluation evaluation = evaluate_with_progress(a, options);
  if (const auto difference = referee::first_report_difference(stored, referee::report_text(evaluation))) {
    std::cout << "not reproduced: " << referee::escape::message(report_path) << ": "
              << referee::escape::message(difference->message()) << "\n";
    if (!std::cout.flush()) throw referee::IoError("standard output: cannot write the result");
    return kFail;
  }
  if (!outputs.empty())
    outputs.write_all({referee::attestation_text({report_name(a), stored.text, subjects, true})}, a.limits);
  std::cout << "verified: " << referee::escape::message(report_path) << " reproduced byte for byte outside \"run\" (verdict "
            << referee::verdict_name(evaluation.verdict) << ", seed " << evaluation.bootstrap.seed << ", "
            << evaluation.bootstrap.resamples << " resamples)\n";
  // Reproduced means the same keys as the fresh report, so $.data.file_sha256 is there.
  const auto& stored_file = stored.document.at("data").at("file_sha256");
  if (!stored_file.is_string() || stored_file.get<std::string>() != evaluation.source.file_sha256)
    std::cout << "note: the data file's bytes are not those of $.data.file_sha256; its rows are the same "
                 "($.data.sha256)\n";
  if (!std::cout.flush()) throw referee::IoError("standard output: cannot write the result");
  return kPass;
}

int validate_command(const std::vector<std::string>& args) {
  const Arguments a = parse_options(args, {"policy", "limit"});
  const referee::Policy policy = referee::load_policy(required(a, "policy"), a.limits);
  std::cout << required(a, "policy") << ": valid (version 1, task " << referee::task_name(policy.task)
            << ", " << policy.rules.size() << (policy.rules.size() == 1 ? " rule" : " rules")
            << ", sha256 " << policy.sha256 << ")\n";
  return kPass;
}

// Runs a policy's unit tests: each case's expected verdict against what the gate says.
int test_command(const std::vector<std::string>& args) {
  const Arguments a = parse_options(args, {"policy", "cases", "quiet", "limit"});
  const referee::Policy policy = referee::load_policy(required(a, "policy"), a.limits);
  const std::string& cases_path = required(a, "cases");
  const auto results =
      referee::run_policy_cases_text(policy, referee::read_small_file(cases_path, a.limits, "cases file"), cases_path, a.limits);
  std::size_t held = 0;
  for (const auto& r : results) {
    held += r.held ? 1 : 0;
    if (a.quiet && r.held) continue;
    std::cout << (r.held ? "ok    " : "FAIL  ") << referee::escaped(r.name, 200) << " (" << r.verdict << ")\n";
    for (const auto& d : r.differences) std::cout << "        " << d << "\n";
  }
  std::cout << held << " of " << results.size() << (results.size() == 1 ? " case holds" : " cases hold") << "\n";
  return held == results.size() ? kPass : kFail;
}

// The SageMaker Processing entrypoint lives in the Python package (it reads JSON Lines and
// Parquet through pandas); the CLI hands over to it, replacing this process so that the
// exit code and signals are the entrypoint's own.
int sagemaker_command(const std::vector<std::string>& args) {
  const char* python = std::getenv("REFEREE_PYTHON");
  const std::string interpreter = python && *python ? python : "python3";
  std::vector<std::string> command{interpreter, "-m", "referee.sagemaker"};
  command.insert(command.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& part : command) argv.push_back(part.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  throw referee::IoError("cannot start " + interpreter + " for referee.sagemaker: " + std::strerror(errno) +
                         " (set REFEREE_PYTHON to the interpreter that has the referee package)");
}

int exit_code_for(referee::ErrorKind kind) { return referee::exit_code(referee::exit_code_of(kind)); }

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) throw referee::UsageError("no command given");
    const std::string& command = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "--version" || command == "version") {
      std::cout << "referee " REFEREE_VERSION_STRING "\n";
      return kPass;
    }
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kUsageText;
      return kPass;
    }
    // `referee run --help`: the usage, exit 0, on every subcommand (sagemaker's own argparse
    // answers its --help).
    const bool asks_help =
        std::any_of(rest.begin(), rest.end(), [](const std::string& a) { return a == "--help" || a == "-h"; });
    if (asks_help && command != "sagemaker") {
      std::cout << kUsageText;
      return kPass;
    }
    if (command == "run") return run_command(rest);
    if (command == "verify") return verify_command(rest);
    if (command == "validate") return validate_command(rest);
    if (command == "test") return test_command(rest);
    if (command == "sagemaker") return sagemaker_command(rest);
    const std::vector<std::string> commands{"run", "verify", "validate", "test", "sagemaker", "--version", "--help"};
    throw referee::UsageError("unknown command \"" + command + "\"" +
                              referee::did_you_mean(command, commands));
  } catch (const referee::Error& e) {
    // The message may name a path or a header from the file: shown, never obeyed, by a
    // terminal or a log viewer.
    std::cerr << "referee: error: " << referee::escape::message(e.what()) << "\n";
    if (e.kind() == referee::ErrorKind::usage) std::cerr << "\n" << kUsageText;
    return exit_code_for(e.kind());
  } catch (const std::bad_alloc&) {
    std::cerr << "referee: error: out of memory\n";
    return kInternal;
  } catch (const std::exception& e) {
    std::cerr << "referee: internal error: " << referee::escape::message(e.what()) << "\n";
    return kInternal;
  }
}
