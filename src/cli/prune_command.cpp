// `gridbatch prune --batch B [--manifest M] [--yes]`: delete the jobs of batch
// B that its manifest no longer lists. Jobs with results are deleted only
// with --yes.
#include <memory>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/store/batch_pruner.hpp"
#include "gridbatch/store/job_store.hpp"
#include "gridbatch/store/status_report.hpp"
#include "load_step.hpp"

namespace gridbatch::cli {
namespace {

struct PruneArgs {
  std::string batch;
  std::string manifest;  // empty: the path the batch was last loaded from
  bool yes = false;
};

// The manifest to compare with: --manifest, or the one the batch was loaded from.
std::string ManifestPath(const PruneArgs& args, store::JobStore& store) {
  if (!args.manifest.empty()) return args.manifest;
  const store::StatusReport report = store::BuildStatusReport(store, {.batch = args.batch});
  const std::string& path = report.batches.front().manifest_path;
  if (path.empty()) {
    throw Error(kExitUsage,
                "batch '" + args.batch + "' has no manifest path on record; give --manifest FILE");
  }
  return path;
}

int Prune(const PruneArgs& args, const CommandContext& context) {
  store::OpenOptions open;
  open.must_exist = true;  // nothing to delete from a database that does not exist
  auto store = store::JobStore::Open(context.common.db, open);
  const std::string path = ManifestPath(args, *store);
  const auto manifest = ParseStep(path);
  if (!manifest) return kExitDataErr;
  const std::string& name = manifest::Batch(*manifest).name;
  if (name != args.batch) {
    throw Error(kExitUsage,
                "manifest " + path + " is batch '" + name + "', not '" + args.batch + "'");
  }
  store::BatchPruner pruner(*store, args.batch);
  const auto changed =
      manifest::ForEachJob(*manifest, [&](const JobSpec& job) { pruner.Keep(job); });
  if (!changed.empty()) {
    for (const auto& d : changed) std::cerr << d.ToString() << "\n";
    std::cerr << "gridbatch: " << changed.size() << " error(s); nothing was deleted\n";
    return kExitDataErr;
  }
  const store::PruneCounts counts = pruner.Count();
  if (counts.with_results > 0 && !args.yes) {
    throw Error(kExitUsage, "prune would delete " + std::to_string(counts.unlisted) +
                                " job(s) no longer in " + path + ", " +
                                std::to_string(counts.with_results) +
                                " of them with results; nothing was deleted. Export them first "
                                "if they matter, then run again with --yes");
  }
  const store::PruneCounts done = pruner.Commit();
  context.Say(args.batch + ": deleted " + std::to_string(done.deleted) + " job(s) no longer in " +
              path + " (" + std::to_string(done.with_results) + " with results)");
  return kExitOk;
}

}  // namespace

void AddPruneCommand(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<PruneArgs>();
  CLI::App* command = app.add_subcommand(
      "prune",
      "Delete the jobs of batch B that its manifest no longer lists (those `load` counts as\n"
      "\"no longer in the manifest\"), with their outputs. The manifest is --manifest, or\n"
      "the file the batch was last loaded from. If any of them has results (an output, or\n"
      "completed), nothing is deleted unless --yes is given (exit 64).");
  AddCommonOptions(command, context);
  command->add_option("--batch", args->batch, "The batch to prune")->required()->type_name("NAME");
  command->add_option("--manifest", args->manifest, "The manifest to compare with")
      ->type_name("FILE");
  command->add_flag("--yes", args->yes, "Also delete jobs that have results");
  command->callback([args, &context] { context.exit_code = Prune(*args, context); });
}

}  // namespace gridbatch::cli
