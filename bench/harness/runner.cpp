#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <functional>
#include <vector>
#include <optional>
#include <regex>
#include <cstdio>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "alloc_counter.h"
#include "bare.h"
#include "case.h"
#include "describe.h"
#include "measure.h"
#include "suite.h"
#include "untimed.h"

namespace hotbench {
namespace {

Options g_options;

// Google Benchmark calls a benchmark function several times (to pick the
// iteration count, then once per repetition). Building and checking a case
// once per process is enough, and keeping only the current one bounds memory.
struct Prepared {
  std::string name;
  std::unique_ptr<Case> instance;
  Check check;
  Work work;
  std::optional<std::pair<double, double>> allocs;  // allocations and bytes per operation
  double op_ns = 0;  // one operation's wall time, measured untimed (for --hotbench_slowdown)
};

// The untimed allocation-counting pass: one operation, three averaged in the full profile. Each row
// runs its operation once for its check, then here, then timed; at three here this pass was a third
// of the quick run and 35 of the default run's 254 s (rows whose operation is a replay of a million
// requests or a server's whole stream, where one operation is already an average over them).
int allocation_pass_runs() { return options().profile == "full" ? 3 : 1; }

double injected_slowdown(const std::string& name) {
  const Options& o = options();
  if (o.slowdown == 0) return 0;
  return std::regex_search(name, std::regex(o.slowdown_pattern)) ? o.slowdown : 0;
}

bool hangs(const std::string& name) {
  const Options& o = options();
  return !o.hang_pattern.empty() && std::regex_search(name, std::regex(o.hang_pattern));
}

// --hotbench_hang: a stand-in for a library call that never returns. Every
// blockable signal is blocked and no stop flag is polled, so nothing inside the
// process can end it: only SIGKILL (the runner's time bound) can.
[[noreturn]] void hang_forever() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  for (;;) pause();
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

void report_work(benchmark::State& state, const Work& work, double cpu_seconds, double wall_seconds) {
  using benchmark::Counter;
  const auto iterations = static_cast<int64_t>(state.iterations());
  if (work.unit == Work::Unit::documents) {
    state.SetBytesProcessed(static_cast<int64_t>(work.input_bytes * static_cast<double>(iterations)));
    state.counters["input_bytes"] = work.input_bytes;
    state.counters["documents"] = work.items;
    state.counters["documents_per_second"] = Counter(work.items, Counter::kIsIterationInvariantRate);
  } else {
    const double ops = work.items * static_cast<double>(iterations);
    state.counters["ops"] = work.items;
    state.counters["ops_per_s"] = ops / wall_seconds;
    state.counters["ns_per_op"] = wall_seconds * 1e9 / ops;
    state.counters["cpu_s_per_million"] = cpu_seconds / ops * 1e6;
    if (work.input_bytes > 0) state.counters["input_bytes"] = work.input_bytes;
  }
  if (work.output_bytes > 0) {
    state.counters["output_bytes"] = work.output_bytes;
    state.counters["output_bytes_per_second"] = Counter(work.output_bytes, Counter::kIsIterationInvariantRate);
  }
}

}  // namespace

void report_params(benchmark::State& state, const CaseId& id) {
  for (const auto& [key, value] : id.params) {
    char* end = nullptr;
    const double number = std::strtod(value.c_str(), &end);
    if (!value.empty() && *end == '\0') state.counters[key] = number;
  }
}

namespace {

double median_op_ns(Case& c) {
  std::vector<double> ns;
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    c.run();
    ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(ns.begin(), ns.begin() + 2, ns.end());
  return ns[2];
}

// The case of the benchmark running now, kept across its repetitions.
Prepared& prepared() {
  static Prepared current;
  return current;
}

Prepared& prepare(const CaseId& id, const CaseFactory& make) {
  Prepared& current = prepared();
  const std::string name = id.name();
  if (current.name == name) return current;
  current = Prepared{};
  current.name = name;
  try {
    current.instance = make();
    current.check = current.instance->check();
    current.work = current.instance->work();  // after check(): some cases learn their output size there
    if (current.check.ok() && options().slowdown > 0) current.op_ns = median_op_ns(*current.instance);
    if (current.check.ok() && alloc::available()) {
      // A separate pass, so the timed loop pays nothing for counting.
      const int runs = allocation_pass_runs();
      alloc::start();
      for (int i = 0; i < runs; ++i) current.instance->run();
      alloc::Totals t = alloc::stop();
      current.allocs = std::pair{static_cast<double>(t.allocations) / runs, static_cast<double>(t.bytes) / runs};
    }
  } catch (const std::exception& e) {
    current.check = Check::failed(e.what());
  }
  if (!current.check.ok()) current.instance.reset();
  return current;
}

void run_case(benchmark::State& state, const CaseId& id, const CaseFactory& make) {
  announce(id.name());
  Prepared& p = prepare(id, make);
  if (!p.check.ok()) {
    state.SkipWithError(p.check.error.c_str());
    for (auto _ : state) {
    }
    return;
  }
  Case& c = *p.instance;
  const double extra = injected_slowdown(p.name);
  const bool hang = hangs(p.name);
  // Our own clocks, for rates of work done on other threads (see Work::Unit).
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = process_cpu_seconds();
  measure::begin();
  try {
    if (hang) {
      for (auto _ : state) hang_forever();
    } else if (extra == 0) {
      for (auto _ : state) c.run();
    } else if (measure::under_valgrind()) {
      // Instruction counting: the operation itself once more whenever a whole
      // one is owed (error diffusion), so the extra work is exactly extra x N
      // operations; exact when N x extra is a whole number (use N >= 1/extra).
      double owed = 0;
      for (auto _ : state) {
        c.run();
        for (owed += extra; owed >= 1 - 1e-9; owed -= 1) c.run();  // ten times 0.1 is 0.9999999999999999
      }
    } else {
      // Timing: busy-wait for `extra` of the operation's own time after each
      // operation, so every iteration is slower by the same fraction.
      const auto pause = std::chrono::nanoseconds(static_cast<long long>(extra * p.op_ns));
      for (auto _ : state) {
        c.run();
        const auto until = std::chrono::steady_clock::now() + pause;
        while (std::chrono::steady_clock::now() < until) {
        }
      }
    }
  } catch (const std::exception& e) {
    measure::end(p.name);
    // It passed its check, so this is a library failing under repetition
    // (e.g. memory exhaustion): an error row, never a figure, never a crash.
    p.check = Check::failed(std::string("failed while timed: ") + e.what());
    p.instance.reset();
    state.SkipWithError(p.check.error.c_str());
    return;
  }
  measure::end(p.name);
  const double cpu_seconds = process_cpu_seconds() - cpu_start;
  const double wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  Counters observed;
  try {
    observed = c.observe();
  } catch (const std::exception& e) {
    p.check = Check::failed(std::string("failed while timed: ") + e.what());
    p.instance.reset();
    state.SkipWithError(p.check.error.c_str());
    return;
  }
  report_work(state, p.work, cpu_seconds, wall_seconds);
  for (const auto& [key, value] : observed) state.counters[key] = value;
  report_params(state, id);
  if (p.allocs) {
    state.counters["allocs_per_op"] = p.allocs->first;
    state.counters["alloc_bytes_per_op"] = p.allocs->second;
  }
  for (const auto& [key, value] : p.check.findings) state.counters[key] = value;
  std::string label = p.check.label;
  if (extra > 0) {
    if (!label.empty()) label += ' ';
    label += "injected_slowdown=";
    label += std::to_string(extra);
  }
  if (!label.empty()) state.SetLabel(label);
}

// The body of a bare row (bare.h).
void bare_row(benchmark::State& state, const CaseId& id, const CaseFactory& make) {
  std::unique_ptr<Case> c;
  Check check;
  Work work;
  try {
    c = make();
    check = c->check();
    work = c->work();
    if (check.ok()) c->run();
  } catch (const std::exception& e) {
    check = Check::failed(e.what());
  }
  if (!check.ok()) {
    state.SkipWithError(check.error.c_str());
    for (auto _ : state) {
    }
    return;
  }
  using Run = void (*)(Case*);
  Case* const self = c.get();
#if defined(__clang__)
  // clang builds only the sanitizer presets, which check behaviour and time nothing: the virtual call.
  const Run run = [](Case* s) { s->run(); };
#elif defined(__GNUC__)
  // The function the vtable names for this case's run(), called directly: GCC's extension
  // (https://gcc.gnu.org/onlinedocs/gcc/Bound-member-functions.html), no dispatch in the timed loop.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpmf-conversions"
  const Run run = (Run)(self->*(&Case::run));
#pragma GCC diagnostic pop
#else
#error "bare rows need GCC's bound member function extraction (or clang's virtual-call fallback)"
#endif
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = process_cpu_seconds();
  measure::begin();
  try {
    for (auto _ : state) run(self);
  } catch (const std::exception& e) {
    measure::end(id.name());
    state.SkipWithError((std::string("failed while timed: ") + e.what()).c_str());
    return;
  }
  measure::end(id.name());
  const double cpu_seconds = process_cpu_seconds() - cpu_start;
  const double wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  // What the case saw while timed, as the harness's row asks it: a case that finds its timed work wrong
  // there gives an error row here too, never a figure.
  Counters observed;
  try {
    observed = c->observe();
  } catch (const std::exception& e) {
    state.SkipWithError((std::string("failed while timed: ") + e.what()).c_str());
    return;
  }
  report_work(state, work, cpu_seconds, wall_seconds);
  for (const auto& [key, value] : observed) state.counters[key] = value;
  report_params(state, id);
  for (const auto& [key, value] : check.findings) state.counters[key] = value;
  if (!check.label.empty()) state.SetLabel(check.label);
}

}  // namespace

// One line per benchmark start, unbuffered (stderr), so a runner reading it knows which benchmark to
// blame if the process must be killed. One record of the last name for every kind of row (timed,
// bare, untimed): a timed row's next repetition after an untimed row is announced again.
void announce(const std::string& name) {
  static std::string last;
  if (!options().announce || name == last) return;
  last = name;
  std::fprintf(stderr, "hotbench: start %s\n", name.c_str());
  std::fflush(stderr);
}

void release_cases() { prepared() = Prepared{}; }

const Options& options() { return g_options; }
void set_options(const Options& options) { g_options = options; }

void register_case(const CaseId& id, CaseFactory make, Clock clock) {
  if (options().describe) return describe::record(id);
  if (clock == Clock::none) return register_untimed(id, std::move(make));
  auto* b = benchmark::RegisterBenchmark(id.name().c_str(), [id, make = std::move(make)](benchmark::State& s) {
    run_case(s, id, make);
  });
  if (options().iterations > 0) b->Iterations(options().iterations);
  if (clock == Clock::wall) b->UseRealTime();
}

void register_bare(const CaseId& of, CaseFactory make) {
  CaseId id = of;
  id.task += "_bare";
  if (options().describe) return describe::record(id);
  auto* b = benchmark::RegisterBenchmark(id.name().c_str(), [id, make = std::move(make)](benchmark::State& state) {
    announce(id.name());
    bare_row(state, id, make);
  });
  if (options().iterations > 0) b->Iterations(options().iterations);
}

}  // namespace hotbench
