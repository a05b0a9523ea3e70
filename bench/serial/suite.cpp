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
#include "outcomes/outcomes.h"

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
// The tasks whose rows carry no time (Clock::none, outcomes/outcomes.h): what each format promised and
// did under schema evolution and malformed input. Every profile runs them: they take milliseconds.
constexpr const char* kOutcomeTasks[] = {"evolution", "malformed"};

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
                  "(zero-copy formats; checked by a fingerprint of every field)"},
       {"evolution", "no time: a message of a v2 schema (one field appended to a nested struct) read by the v1 "
                     "reader, and v1's bytes by the v2 reader; the outcomes and why (the format's promise, the "
                     "suite's choice or an accident) as codes"},
       {"malformed", "no time: every truncation and a sample of the bit flips of the file's first message, each "
                     "refused by validate, or by decode after validate, or accepted as a value that survives its "
                     "round trip (anything else is an error row)"}},
      {{"wire_bytes_per_message", "bytes per message", "lower", "size", true,
        "encoded size of one message as sent, compressed on rows with compression=<codec> (partial_read: the "
        "batch's size divided by its messages)"},
       {"raw_bytes_per_message", "bytes per message", "lower", "size", true,
        "the format's own size of one message before compression (rows with compression=<codec> only; "
        "partial_read: the batch's)"},
       {"old_reader_new_bytes", "outcome code", "", "other", true,
        "evolution rows: a v2 message read by the v1 reader (the new field must be skipped); " +
            serial::outcomes::read_codes(true)},
       {"new_reader_old_bytes", "outcome code", "", "other", true,
        "evolution rows: a v1 message read by the v2 reader (the missing field must read as its default); " +
            serial::outcomes::read_codes(false)},
       {"old_reader_promise", "basis code", "", "other", true,
        "evolution rows: why the v1 reader does what it does (a promise: the format's, or for msgpack_define "
        "msgpack-cxx's); " + serial::outcomes::basis_codes()},
       {"new_reader_promise", "basis code", "", "other", true,
        "evolution rows: why the v2 reader does what it does; " + serial::outcomes::basis_codes()},
       {"truncations", "inputs", "", "count", true,
        "malformed rows: truncations of the encoding tried (every prefix shorter than it: its size in bytes)"},
       {"truncations_refused", "inputs", "", "count", true, "malformed rows: truncations validate refused"},
       {"truncations_decode_refused", "inputs", "", "count", true,
        "malformed rows: truncations validate accepted and decode (or the accessors) then refused with an error"},
       {"truncations_accepted", "inputs", "", "count", true,
        "malformed rows: truncations validate accepted, read as a value that encodes and decodes back to itself "
        "(and that the format's accessors read alike)"},
       {"bit_flips", "inputs", "", "count", true,
        "malformed rows: single bit flips tried (every bit of the first and last 32 bytes and of every 16th byte "
        "between them)"},
       {"bit_flips_refused", "inputs", "", "count", true, "malformed rows: bit flips validate refused"},
       {"bit_flips_decode_refused", "inputs", "", "count", true,
        "malformed rows: bit flips validate accepted and decode (or the accessors) then refused with an error"},
       {"bit_flips_accepted", "inputs", "", "count", true,
        "malformed rows: bit flips validate accepted, read as a value that survives its round trip (as "
        "truncations_accepted)"}},
      {".jsonl"},
      {corpus_dir()},
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
  std::vector<std::string> all_tasks(std::begin(kTasks), std::end(kTasks));
  all_tasks.insert(all_tasks.end(), std::begin(kOutcomeTasks), std::end(kOutcomeTasks));
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

  // The rows that carry no time, after the timed ones; the formats alone (no codec).
  if (!contains(compression, "none")) return;
  if (contains(tasks, "evolution"))
    for (const outcomes::Evolution& row : outcomes::evolution_rows()) {
      const Format* f = formats().find(row.format);
      if (!f || !contains(chosen, f->name)) continue;
      std::vector<std::pair<std::string, std::string>> params;
      if (*row.mapping) params.emplace_back("mapping", row.mapping);
      register_case({"serial", "evolution", f->library, f->variant, row.message, std::move(params)},
                    outcomes::evolution_case(row), Clock::none);
    }
  if (contains(tasks, "malformed"))
    for (const auto& file : files) {
      const std::string dataset = dataset_of(file);
      if (!contains(messages, dataset)) continue;
      for (const Format& f : formats().all())
        if (contains(chosen, f.name))
          if (CaseFactory make = outcomes::malformed_case(f, file))
            register_case({"serial", "malformed", f.library, f.variant, dataset, {}}, std::move(make), Clock::none);
    }
}

}  // namespace hotbench
