#include "untimed.h"

#include <benchmark/benchmark.h>

#include <exception>
#include <string>

#include "suite.h"

namespace hotbench {
namespace {

void untimed_row(benchmark::State& state, const CaseId& id, const CaseFactory& make) {
  announce(id.name());
  Check check;
  try {
    check = make()->check();
  } catch (const std::exception& e) {
    check = Check::failed(e.what());
  }
  if (!check.ok()) state.SkipWithError(check.error.c_str());
  for (auto _ : state) {
  }
  if (!check.ok()) return;
  state.counters["untimed"] = 1;
  report_params(state, id);
  for (const auto& [key, value] : check.findings) state.counters[key] = value;
  if (!check.label.empty()) state.SetLabel(check.label);
}

}  // namespace

void register_untimed(const CaseId& id, CaseFactory make) {
  benchmark::RegisterBenchmark(id.name().c_str(), [id, make = std::move(make)](benchmark::State& s) {
    untimed_row(s, id, make);
  })->Iterations(1)->Repetitions(1);
}

}  // namespace hotbench
