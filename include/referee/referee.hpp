#pragma once
// referee's C++ API, in one include: parse a policy, build or read a table, evaluate,
// render. Everything else (the resampler, the accumulators, SIMD dispatch, the thread
// pool) is internal and not installed.
//
//   referee::Policy policy = referee::load_policy("gate.json");
//   referee::Table table = referee::read_table_csv("eval.csv", policy.columns, policy.task);
//   referee::Evaluation ev = referee::evaluate(table, policy);
//   std::cout << referee::summary_text(ev);
//   return referee::verdict_passes(ev.verdict) ? 0 : 1;
//
// Errors are referee::Error (error.hpp) with a kind; a FAIL verdict is a result, not an error.

#include <referee/error.hpp>
#include <referee/limits.hpp>
#include <referee/partitioned.hpp>
#include <referee/evaluate.hpp>
#include <referee/evaluation.hpp>
#include <referee/policy.hpp>
#include <referee/render.hpp>
#include <referee/table.hpp>
#include <referee/version.h>
#include <referee/vocabulary.hpp>
