// The harness side of --hotbench_describe (describe.cpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "case.h"
#include "settings.h"
#include "suite.h"

namespace hotbench::describe {

// Under --hotbench_describe, register_case records the case here instead of registering it.
void record(const CaseId& id);

// The description as JSON (docs/adding.md lists the fields).
std::string json(const SuiteInfo& suite, const Settings& settings, const Options& options,
                 const std::vector<std::pair<std::string, std::string>>& libraries);

}  // namespace hotbench::describe
