// The serial suite's registration: binary formats (formats/*.cpp) x tasks (cases.h) x message files,
// on the same messages as the JSON suite's typed tasks (docs/serial.md).
#include <algorithm>
#include <iterator>
#include <string_view>

#include "../harness/bare.h"
#include "../harness/case.h"
#include "../harness/settings.h"
#include "../harness/suite.h"
#include "cases.h"
#include "compression.h"

namespace hotbench::serial {

Registry<Format>& formats() {
  static Registry<Format> registry;
  return registry;
}

std::string dataset_of(const std::string& path) { return dataset_name(path, suite_info().data_suffixes); }

}  // namespace hotbench::serial

namespace hotbench {
namespace {

// Without an explicit `compression`, the default and quick profiles run the codecs only on these
// rows: every codec appears in the run, and the time it adds is the difference to the same
// format's row without compression. The full profile runs every codec on every row.
const std::vector<std::string> kCompressionSampleFormats = {"flatbuffers", "protobuf"};
const std::vector<std::string> kCompressionSampleTasks = {"encode", "decode"};
const std::string kCompressionSampleMessages = "orders";
// The tasks with bare rows (--hotbench_bare: serial/<task>_bare/..., bench/harness/bare.h): the issue's
// performance goal bounds the harness's cost, and these are the gate's rows. An array, not a vector:
// no allocation at start-up, which would move every later heap address and with them the
// instruction counts of address-dependent code (memcpy's paths) in the gate's rows.
constexpr std::string_view kBareTasks[] = {"encode", "decode"};

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

const SuiteInfo& suite_info() {
  static const SuiteInfo info = {
      "serial",
      "Serialization formats: encode, decode, partial read and validation of the JSON suite's typed messages, "
      "every round trip checked member by member",
      {{"encode", "every message of the file, struct -> the format's bytes (checked: they decode back to it)"},
       {"decode", "every message's bytes -> a fresh struct, every field (checked against the reference)"},
       {"round_trip", "encode then decode each message (checked: decode(encode(x)) == x)"},
       {"partial_read", "id and timestamp of every message of the whole file encoded as one batch message "
                        "(in place where the format can, else a full decode; checked)"},
       {"validate", "each message's bytes judged as untrusted input (checked: every valid encoding accepted)"},
       {"access", "every field of each message read through the format's accessors, no struct built "
                  "(zero-copy formats; checked by a fingerprint of every field)"}},
      {{"wire_bytes_per_message", "bytes per message", "lower", "size", true,
        "encoded size of one message as sent, compressed on rows with compression=<codec> (partial_read: the "
        "batch's size divided by its messages)"},
       {"raw_bytes_per_message", "bytes per message", "lower", "size", true,
        "the format's own size of one message before compression (rows with compression=<codec> only; "
        "partial_read: the batch's)"}},
      {".jsonl"},
#ifdef HOTBENCH_CORPUS_DIR
      {HOTBENCH_CORPUS_DIR},
#else
      {},
#endif
      // the formats alone: the codecs' own code is not what a change to an adapter moves (no
      // /compression=...); counting names a benchmark .../iterations:N (--hotbench_iterations)
      "^serial/(encode|decode)/[^/]+/orders(/iterations:[0-9]+)?$",
  };
  return info;
}

void register_suite(const Options& options, Settings& settings, const std::vector<std::string>& files) {
  using namespace hotbench::serial;
  formats().sort();
  std::vector<std::string> kinds;
  std::apply([&](const auto&... kind) { (kinds.push_back(kind.dataset), ...); }, typed::kMessageKinds);
  // The default run stays small (every format on orders); the full profile covers every kind.
  const bool every_kind = options.profile == "full";
  const auto messages = settings.names("messages", every_kind ? kinds : std::vector<std::string>{"orders"}, kinds,
                                       "message kinds (data files by name) to run");
  const auto chosen = settings.names("formats", formats().names(), formats().names(),
                                     "formats (library or library:variant) to run");
  const std::vector<std::string> all_tasks(std::begin(kTasks), std::end(kTasks));
  const auto tasks = settings.names("tasks", all_tasks, all_tasks, "tasks to run");
  const std::vector<std::string> codecs(std::begin(kCompressions), std::end(kCompressions));
  const auto compression = settings.names(
      "compression", codecs, codecs,
      "codecs applied to each message after its format's encoding (none: the format alone; zstd at level 3, "
      "lz4 at acceleration 1, contexts reused), on every chosen row; when not given, the default and quick "
      "profiles run zstd and lz4 only on encode and decode of orders in flatbuffers and protobuf");
  settings.selects_rows({"messages", "formats", "tasks", "compression"});
  settings.finish();
  const bool sampled = options.profile != "full" && !settings.given("compression");

  for (const char* task : kTasks) {
    if (!contains(tasks, task)) continue;
    for (const auto& file : files) {
      const std::string dataset = dataset_of(file);
      // A .jsonl file that holds no message kind is the JSON suite's, not this one's.
      if (!contains(messages, dataset)) continue;
      for (const Format& f : formats().all()) {
        if (!contains(chosen, f.name)) continue;
        for (const auto& codec : compression) {
          if (codec != "none" && sampled &&
              !(contains(kCompressionSampleFormats, f.name) && contains(kCompressionSampleTasks, task) &&
                dataset == kCompressionSampleMessages))
            continue;
          CaseFactory make = f.for_task(task, file, codec);
          if (!make) continue;
          std::vector<std::pair<std::string, std::string>> params;
          if (codec != "none") params.emplace_back("compression", codec);
          const CaseId id{"serial", task, f.library, f.variant, dataset, std::move(params)};
          register_case(id, std::move(make));
          // Its bare twin right after it, so that a timed run measures both under the same load.
          if (options.bare && std::find(std::begin(kBareTasks), std::end(kBareTasks), task) != std::end(kBareTasks))
            register_bare(id, f.for_task(task, file, codec));
        }
      }
    }
  }
}

}  // namespace hotbench
