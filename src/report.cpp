#include <referee/report.hpp>

#include <referee/atomic_file.hpp>
#include <referee/version.h>

namespace referee {

namespace {

using ojson = nlohmann::ordered_json;

ojson estimate_json(const Estimate& e, std::size_t n) {
  ojson j;
  j["estimate"] = e.point.defined ? ojson(e.point.value) : ojson(nullptr);
  j["ci"] = e.ci.defined ? ojson::array({e.ci.lo, e.ci.hi}) : ojson(nullptr);
  j["n"] = n;
  if (!e.point.defined) {
    j["undefined"] = std::string(e.point.reason);
    return j;
  }
  if (e.ci.defined) {
    j["se"] = e.standard_error;
  } else {
    j["ci_undefined"] = e.ci.reason;
  }
  j["resamples_defined"] = e.defined_replicates;
  return j;
}

ojson bound_json(const Rule& rule) {
  ojson j = ojson::object();
  if (rule.min) j["min"] = *rule.min;
  if (rule.max) j["max"] = *rule.max;
  return j;
}

}  // namespace

ojson report_json(const Evaluation& ev) {
  const Policy& p = ev.policy;
  ojson r;
  r["referee_version"] = REFEREE_VERSION_STRING;
  r["verdict"] = verdict_name(ev.verdict);
  r["passed"] = ev.passed;
  r["policy_sha256"] = p.sha256;
  r["policy"] = ojson::parse(p.source.dump());

  ojson data;
  data["file"] = ev.source.origin == "memory"
                     ? ojson(nullptr)
                     : ojson(std::filesystem::path(ev.source.origin).filename().string());
  data["rows"] = ev.rows;
  data["units"] = ev.units;
  data["clustered"] = ev.clustered;
  data["sha256"] = ev.source.sha256;
  data["sha256_of"] = ev.source.hashed;
  r["data"] = data;

  ojson boot;
  boot["resamples"] = ev.bootstrap.resamples;
  boot["confidence"] = ev.bootstrap.confidence;
  boot["interval"] = interval_name(ev.bootstrap.interval);
  boot["scheme"] = scheme_name(ev.bootstrap.scheme);
  boot["seed"] = ev.bootstrap.seed;
  boot["unit"] = ev.clustered ? "cluster" : "row";
  boot["rng"] = "philox4x32-10, counter (resample, unit key)";
  boot["jackknife_groups"] = ev.jackknife_groups;
  r["bootstrap"] = boot;

  r["task"] = task_name(p.task);
  if (p.task == Task::binary) r["threshold"] = p.threshold;

  ojson metrics;
  const auto infos = task_metrics(p.task);
  for (std::size_t s = 0; s < 4; ++s) {
    ojson subject = ojson::object();
    for (std::size_t k = 0; k < infos.size(); ++k)
      subject[std::string(infos[k].name)] = estimate_json(ev.metrics[s][k], ev.rows);
    metrics[std::string(subject_name(static_cast<Subject>(s)))] = subject;
  }
  r["metrics"] = metrics;

  ojson rules = ojson::array();
  for (const RuleResult& rr : ev.rules) {
    ojson j;
    j["id"] = rr.rule.id;
    j["metric"] = metric_name(rr.rule.metric);
    j["subject"] = subject_name(rr.rule.subject);
    j["verdict"] = verdict_name(rr.verdict);
    j["severity"] = rr.rule.severity == Severity::block ? "block" : "warn";
    j["decide_on"] = rr.rule.decide_on == DecideOn::interval ? "interval" : "point";
    j["bound"] = bound_json(rr.rule);
    const ojson subject = estimate_json(rr.subject, ev.rows);
    j["estimate"] = subject["estimate"];
    j["ci"] = subject["ci"];
    j["champion"] = estimate_json(rr.champion, ev.rows);
    j["challenger"] = estimate_json(rr.challenger, ev.rows);
    j["reason"] = rr.reason;
    rules.push_back(j);
  }
  r["rules"] = rules;

  ojson run;
  run["started_at"] = ev.run.started_at;
  run["seconds"] = ev.run.seconds;
  run["threads"] = ev.run.threads;
  r["run"] = run;
  return r;
}

std::string report_text(const Evaluation& ev) { return report_json(ev).dump(2) + "\n"; }

void write_report(const Evaluation& ev, const std::filesystem::path& path) {
  write_file_atomically(path, report_text(ev));
}

}  // namespace referee
