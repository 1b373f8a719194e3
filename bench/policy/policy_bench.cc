// policy_bench: how fast one node's agent enforces NetworkPolicy, next to the original Romana's
// way of doing it, measured in the same run on the same plan (prints a table; run as root).
//
//   Workload (workload.h): 10,000 pods in 100 namespaces, 1,000 policies of a realistic mix,
//   the pods spread over --nodes nodes (default 100: about 100 local pods, every other pod a set
//   element); the plan is node0's.
//   Ours: compile the plan (policy/node_plan_compiler.h), render `inet romana`
//   (agent/policy_render.h) and apply it with nft::TableSyncer through libnftables, inside a
//   network namespace the bench creates. "full sync" starts from no table; "label change"
//   relabels one pod and measures compile + render + the incremental apply.
//   Anchor: the same plan rendered in the original's layout (original_layout.h) and applied as
//   it did on every change: `ipset flush` + `ipset restore` of every set, `iptables-restore
//   --test`, `iptables-restore --noflush`, in a second namespace.
//   Targets: full sync < 1 s, one label change < 20 ms, ours >= 5x faster than the anchor.
//
//   Usage: policy_bench [--pods N] [--policies N] [--namespaces N] [--nodes N] [--rounds N]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/policy_render.h"
#include "base/clock.h"
#include "base/subprocess.h"
#include "bench/policy/original_layout.h"
#include "bench/policy/workload.h"
#include "netlink/netns.h"
#include "netlink/testing/scoped_netns.h"
#include "nft/runner.h"
#include "nft/table_syncer.h"
#include "policy/node_plan_compiler.h"

namespace romana::policy::bench {
namespace {

using Clock = std::chrono::steady_clock;
using netlink::testing::ScopedNetns;

int Flag(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return def;
}

double Ms(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Failures travel up as statuses, so that the namespaces Main made are always removed.
#define RETURN_IF_ERROR(expr)              \
  do {                                     \
    if (absl::Status s_ = (expr); !s_.ok()) return s_; \
  } while (0)

// Runs argv in `netns` with `input` on stdin.
absl::Status RunIn(const ScopedNetns& ns, std::vector<std::string> argv, const std::string& input = "") {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns.name()});
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv, input);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return absl::InternalError(absl::StrCat("`", argv[4], "` failed: ", r->output));
  return absl::OkStatus();
}

// The label change both paths measure: a pod of node0 moves between apps and tiers, so the
// policies that select it change (its dispatch element) and so do the peer sets it is in.
void Relabel(Workload& w) {
  Labels& labels = w.cluster.pods[kRelabelledPod].labels;
  const bool moved = labels["tier"] == "tier9";
  labels["tier"] = moved ? "tier1" : "tier9";
  labels["app"] = moved ? "app1" : "app3";  // app3: selected by an app-to-app policy of its namespace
}

struct NftFigures {
  double full_ms = 0;             // median over rounds, from no table
  double change_ms = 0;           // median over rounds
  double change_compile_ms = 0;   // of which compiling the plan
  double change_render_ms = 0;    // rendering the table (pure)
  nft::DiffStats change_stats;    // what the last label change wrote
  size_t sets = 0, elements = 0, chains = 0;
  size_t listing_bytes = 0, listing_lines = 0;
};

// Our path, run on a thread that entered `ns` (libnftables acts in the caller's namespace).
absl::StatusOr<NftFigures> MeasureNft(const ScopedNetns& ns, Workload w, int rounds) {
  NftFigures f;
  absl::Status status;
  std::thread([&] { status = [&]() -> absl::Status {
    auto in = netlink::ScopedNetnsEntry::Enter(ns.name());
    RETURN_IF_ERROR(in.status());
    auto runner = nft::LibNftablesRunner::Create();
    RETURN_IF_ERROR(runner.status());
    base::SystemClock clock;
    nft::TableSyncer syncer(**runner, clock, {agent::kPolicyFamily, agent::kPolicyTable, std::chrono::hours(1)});
    double compile_ms = 0, render_ms = 0;
    auto sync = [&] {
      Clock::time_point start = Clock::now();
      NodePlan plan = CompileNodePlan(w.cluster, w.policies, "node0");
      compile_ms = Ms(start);
      start = Clock::now();
      nft::Table table = agent::RenderPolicyTable(plan);
      render_ms = Ms(start);
      return syncer.Sync(table);
    };
    std::vector<double> full, change, change_compile, change_render;
    for (int r = 0; r < rounds; ++r) {
      RETURN_IF_ERROR(syncer.Remove());
      const Clock::time_point start = Clock::now();
      RETURN_IF_ERROR(sync());
      full.push_back(Ms(start));
    }
    for (int r = 0; r < std::max(rounds, 5); ++r) {
      Relabel(w);
      const Clock::time_point start = Clock::now();
      RETURN_IF_ERROR(sync());
      change.push_back(Ms(start));
      change_compile.push_back(compile_ms);
      change_render.push_back(render_ms);
    }
    f.full_ms = Median(full);
    f.change_ms = Median(change);
    f.change_compile_ms = Median(change_compile);
    f.change_render_ms = Median(change_render);
    f.change_stats = syncer.last_stats();
    f.sets = syncer.applied_sets();
    f.elements = syncer.applied_elements();
    f.chains = syncer.applied_chains();
    return absl::OkStatus();
  }(); }).join();
  RETURN_IF_ERROR(status);
  absl::StatusOr<base::CommandResult> listing =
      base::RunCommand({"ip", "netns", "exec", ns.name(), "nft", "list", "table", "inet", "romana"});
  if (listing.ok()) {
    f.listing_bytes = listing->output.size();
    f.listing_lines = static_cast<size_t>(std::count(listing->output.begin(), listing->output.end(), '\n'));
  }
  return f;
}

struct AnchorFigures {
  double full_ms = 0;
  double change_ms = 0;
  int ipset_lines = 0;
  int iptables_rules = 0;
};

absl::StatusOr<AnchorFigures> MeasureOriginal(const ScopedNetns& ns, Workload w, int rounds) {
  AnchorFigures f;
  bool diverted = false;
  auto render_and_apply = [&]() -> absl::Status {
    OriginalLayout layout = RenderOriginalLayout(CompileNodePlan(w.cluster, w.policies, "node0"));
    f.ipset_lines = layout.ipset_lines;
    f.iptables_rules = layout.iptables_rules;
    RETURN_IF_ERROR(RunIn(ns, {"ipset", "flush"}));
    RETURN_IF_ERROR(RunIn(ns, {"ipset", "restore", "-exist"}, layout.ipset_restore));
    RETURN_IF_ERROR(RunIn(ns, {"iptables-restore", "--noflush", "--test"}, layout.iptables_restore));
    RETURN_IF_ERROR(RunIn(ns, {"iptables-restore", "--noflush"}, layout.iptables_restore));
    if (!diverted) {
      RETURN_IF_ERROR(RunIn(ns, {"iptables-restore", "--noflush"}, layout.iptables_divert));
      diverted = true;
    }
    return absl::OkStatus();
  };
  std::vector<double> full, change;
  for (int r = 0; r < rounds; ++r) {
    const Clock::time_point start = Clock::now();
    RETURN_IF_ERROR(render_and_apply());
    full.push_back(Ms(start));
  }
  for (int r = 0; r < rounds; ++r) {  // the original re-rendered everything on any change
    Relabel(w);
    const Clock::time_point start = Clock::now();
    RETURN_IF_ERROR(render_and_apply());
    change.push_back(Ms(start));
  }
  f.full_ms = Median(full);
  f.change_ms = Median(change);
  return f;
}

int Main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "policy_bench: run as root (it creates network namespaces)\n");
    return 2;
  }
  WorkloadShape shape;
  shape.pods = Flag(argc, argv, "--pods", shape.pods);
  shape.policies = Flag(argc, argv, "--policies", shape.policies);
  shape.namespaces = Flag(argc, argv, "--namespaces", shape.namespaces);
  shape.nodes = Flag(argc, argv, "--nodes", 100);
  const int rounds = Flag(argc, argv, "--rounds", 5);
  const Workload w = MakeWorkload(shape);

  std::vector<double> compile;
  NodePlan plan;
  for (int r = 0; r < rounds; ++r) {
    const Clock::time_point start = Clock::now();
    plan = CompileNodePlan(w.cluster, w.policies, "node0");
    compile.push_back(Ms(start));
  }

  auto ours_ns = ScopedNetns::Create("pbench-nft");
  auto anchor_ns = ScopedNetns::Create("pbench-ipt");
  if (!ours_ns.ok() || !anchor_ns.ok()) {
    std::fprintf(stderr, "policy_bench: create a namespace: %s\n",
                 (ours_ns.ok() ? anchor_ns.status() : ours_ns.status()).ToString().c_str());
    return 1;
  }
  absl::StatusOr<NftFigures> ours_or = MeasureNft(**ours_ns, w, rounds);
  absl::StatusOr<AnchorFigures> anchor_or =
      ours_or.ok() ? MeasureOriginal(**anchor_ns, w, rounds) : absl::StatusOr<AnchorFigures>(ours_or.status());
  if (!anchor_or.ok()) {  // the namespaces are removed on return
    std::fprintf(stderr, "policy_bench: %s\n", anchor_or.status().ToString().c_str());
    return 1;
  }
  const NftFigures& ours = *ours_or;
  const AnchorFigures& anchor = *anchor_or;

  std::printf("policy_bench: %d pods, %d namespaces, %d policies, %d node(s); node0 holds %zu pods, "
              "%zu policy chains; medians of %d rounds\n",
              shape.pods, shape.namespaces, shape.policies, shape.nodes, plan.pods.size(), plan.chains.size(), rounds);
  std::printf("%-44s %12s %12s %10s %10s\n", "measure", "ours", "original", "ratio", "target");
  std::printf("%-44s %12.1f %12s %10s %10s\n", "compile the node's plan (ms)", Median(compile), "-", "-", "-");
  std::printf("%-44s %12.1f %12.1f %10.1f %10s\n", "full sync: compile+render+apply (ms)", ours.full_ms,
              anchor.full_ms, anchor.full_ms / ours.full_ms, "< 1000, 5x");
  std::printf("%-44s %12.1f %12.1f %10.1f %10s\n", "one label change enforced (ms)", ours.change_ms,
              anchor.change_ms, anchor.change_ms / ours.change_ms, "< 20, 5x");
  std::printf("%-44s %12.1f %12s\n", "  of which compiling the plan (ms)", ours.change_compile_ms, "-");
  std::printf("%-44s %12.1f %12s\n", "  of which rendering the table (ms)", ours.change_render_ms, "-");
  std::printf("%-44s %12d %12s\n", "  label change: elements added+deleted",
              ours.change_stats.elements_added + ours.change_stats.elements_deleted, "all");
  std::printf("%-44s %12d %12s\n", "  label change: chains rewritten", ours.change_stats.chains_written, "all");
  std::printf("%-44s %12zu %12d\n", "sets", ours.sets, 0);
  std::printf("%-44s %12zu %12d\n", "set elements / ipset lines", ours.elements, anchor.ipset_lines);
  std::printf("%-44s %12zu %12d\n", "chains / iptables rules", ours.chains, anchor.iptables_rules);
  std::printf("%-44s %12zu %12s\n", "ruleset listing (lines)", ours.listing_lines, "-");
  std::printf("%-44s %12zu %12s\n", "ruleset listing (bytes)", ours.listing_bytes, "-");
  const bool met = ours.full_ms < 1000 && ours.change_ms < 20 && anchor.full_ms / ours.full_ms >= 5 &&
                   anchor.change_ms / ours.change_ms >= 5;
  std::printf("targets %s\n", met ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace romana::policy::bench

int main(int argc, char** argv) { return romana::policy::bench::Main(argc, argv); }
