// The chaos test (issue 13): a lab (src/lab) with a 3-member etcd cluster, 2 romanad replicas and
// 3 agents. Runtime-like threads create and delete pods through the real CNI plugin (pod_churn.h)
// while this thread, in a loop, kills (SIGKILL, by the PIDs the lab recorded) the romanad replica
// that leads, one etcd member and one agent, leaves them down a moment and starts them again;
// every second cycle freezes the leader (SIGSTOP) until the other replica leads, then thaws it.
// Afterwards, once everything runs and has converged (bounded waits on conditions):
//   - every operation succeeded (retrying CNI error 11 as a runtime does), no ADD got an IP that a
//     live pod held, and no other CNI error was seen;
//   - romanad's addresses are exactly the live pods' (none leaked, none missing, none twice), on
//     both replicas, and each block's count matches its addresses;
//   - each node's pod routes and host veths are exactly its live pods' (nothing left behind by a
//     deleted or rolled-back pod), its romana routes equal what romanad's blocks say, and its agent
//     reports ready (synced).
//
// Size (environment): ROMANA_CHAOS_OPS pod operations at least (default 60), ROMANA_CHAOS_CYCLES
// kill/restart cycles at least (default 3): the run goes on until both are reached;
// ROMANA_CHAOS_WORKERS threads issue operations (default 4); ROMANA_CHAOS_SEED fixes the random
// choices (default: from the clock, printed); ROMANA_CHAOS_KEEP_LOGS=1 keeps the lab's logs (they
// are kept after a failure anyway). The big run (docs/testing.md):
//   ROMANA_CHAOS_OPS=500 ROMANA_CHAOS_CYCLES=25 build/dev/tests/chaos/chaos_test
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <signal.h>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/testing/test_env.h"
#include "base/token_file.h"
#include "gtest/gtest.h"
#include "invariants.h"
#include "lab/exec.h"
#include "lab/lab.h"
#include "lab/plan.h"
#include "lab/testing/test_lab_options.h"
#include "pod_churn.h"

namespace romana::chaos {
namespace {

using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  int n = 0;
  return v != nullptr && absl::SimpleAtoi(v, &n) && n >= 0 ? n : fallback;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Runs `fn` with a client of romanad replica `replica` (inside the master namespace).
absl::Status OnReplica(const lab::Lab& lab, int replica, const std::function<absl::Status(api::Client&)>& fn) {
  absl::StatusOr<std::string> token = base::ReadTokenFile(lab.PkiDir() + "/token");
  if (!token.ok()) return token.status();
  return lab::InNetns(lab::MasterNetns(lab.id()), [&]() -> absl::Status {
    absl::StatusOr<std::unique_ptr<api::Client>> c =
        api::Client::Create({.server = lab.RomanadUrl(replica), .token = *token, .ca_file = lab.PkiDir() + "/ca.crt",
                             .timeout = std::chrono::seconds(5)});
    if (!c.ok()) return c.status();
    return fn(**c);
  });
}

// What replica `replica` says is wrong with its IPAM against the live pods (or why it could not say).
std::vector<std::string> IpamProblemsOn(const lab::Lab& lab, int replica, const std::vector<LivePod>& live) {
  std::vector<std::string> problems;
  absl::Status s = OnReplica(lab, replica, [&](api::Client& c) -> absl::Status {
    absl::StatusOr<api::StateSnapshot> snap = c.Snapshot({"addresses", "blocks"});  // one revision
    if (!snap.ok()) return snap.status();
    problems = IpamProblems(snap->addresses, snap->blocks, live);
    return absl::OkStatus();
  });
  if (!s.ok()) problems.push_back(absl::StrCat("replica ", replica, ": ", s.ToString()));
  return problems;
}

class ChaosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root (network namespaces)";
    absl::StatusOr<lab::Captured> etcd = lab::RunCapture({"etcd", "--version"});
    if (!etcd.ok() || etcd->exit_code != 0) ROMANA_SKIP_UNLESS_CI() << "etcd is not installed (scripts/setup)";
  }
  // Before the lab goes: after a failure (or with ROMANA_CHAOS_KEEP_LOGS=1) its logs are copied
  // to a directory that stays, for the post-mortem.
  void KeepLogs(const lab::Lab& lab) {
    if (!HasFailure() && EnvInt("ROMANA_CHAOS_KEEP_LOGS", 0) == 0) return;
    namespace fs = std::filesystem;
    const fs::path to = fs::temp_directory_path() / ("romana-chaos-logs-" + lab.id());
    std::error_code ec;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(lab.dir(), ec)) {
      if (e.path().extension() != ".log") continue;
      const fs::path dest = to / fs::relative(e.path(), lab.dir());
      fs::create_directories(dest.parent_path(), ec);
      fs::copy_file(e.path(), dest, fs::copy_options::overwrite_existing, ec);
    }
    std::cerr << "chaos: the lab's logs are in " << to.string() << "\n";
  }
  romana::testing::TempDir state_;
};

TEST_F(ChaosTest, PodChurnSurvivesKilledOrFrozenLeaderEtcdMemberAndAgent) {
  const int min_ops = EnvInt("ROMANA_CHAOS_OPS", 60);
  const int min_cycles = EnvInt("ROMANA_CHAOS_CYCLES", 3);
  const int workers = std::max(1, EnvInt("ROMANA_CHAOS_WORKERS", 4));
  const int clock_seed = static_cast<int>(Clock::now().time_since_epoch().count() % 1000000);
  const unsigned seed = static_cast<unsigned>(EnvInt("ROMANA_CHAOS_SEED", clock_seed));
  constexpr int kNodes = 3;
  constexpr int kTargetLive = 4 * kNodes;  // the pods alive at a time hover around this
  std::cerr << "chaos: at least " << min_ops << " pod operations and " << min_cycles << " kill cycles, " << workers
            << " workers, seed " << seed << " (ROMANA_CHAOS_SEED)\n";

  lab::LabOptions o = lab::testing::TestLabOptions("x", state_.path().string());
  o.etcd = true;
  o.etcd_members = 3;
  o.romanad_replicas = 2;
  // Blocks of 4 addresses and pods in two namespaces (blocks are per namespace): blocks are taken,
  // emptied and reused by other nodes all the time, so the agents' routes change all the time.
  o.shape.nodes = kNodes;
  o.shape.pods_per_node = 0;
  o.shape.racks = 1;
  o.shape.block_mask = 30;
  const auto up_start = Clock::now();
  absl::StatusOr<std::unique_ptr<lab::Lab>> made = lab::Lab::Up(o);
  ASSERT_TRUE(made.ok()) << made.status();
  lab::Lab& lab = **made;
  absl::Cleanup keep_logs = [&] { KeepLogs(lab); };  // before the lab goes, also after a fatal failure
  std::cerr << "chaos: lab up in " << Seconds(Clock::now() - up_start) << " s\n";

  // --- the churn: runtime-like threads, until the main thread has seen enough ---
  PodChurn churn(lab, {});
  std::atomic<int> ops_done{0};
  std::atomic<bool> enough{false};
  std::vector<std::thread> threads;
  struct JoinAll {  // also when an ASSERT below returns early
    std::atomic<bool>& enough;
    std::vector<std::thread>& threads;
    ~JoinAll() {
      enough = true;
      for (std::thread& t : threads) t.join();
    }
  } join_all{enough, threads};
  const auto churn_start = Clock::now();
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937 rng(seed * 31 + w);
      while (!enough) {
        const int live = churn.live_count();
        const bool add = live < kTargetLive / 2 || (live < kTargetLive * 3 / 2 && rng() % 2 == 0);
        if (add || !churn.DeleteOne(rng)) churn.Add(1 + static_cast<int>(rng() % kNodes), rng() % 3 == 0 ? "blue" : "default");
        ++ops_done;
      }
    });
  }

  // --- the chaos: kill the leader replica, an etcd member and an agent; start them again ---
  // Each cycle kills while operations are in flight, and the next starts once a share of the
  // operations has completed since (so every cycle overlaps the churn and the run ends on time).
  std::mt19937 rng(seed);
  int cycles = 0;
  const int ops_per_cycle = std::max(1, min_ops / std::max(1, min_cycles));
  std::vector<double> recoveries;  // seconds from the kills until all runs again and a replica leads
  // The first kills find pods alive and operations under way.
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return ops_done >= ops_per_cycle / 2; }, std::chrono::seconds(300)))
      << "the churn is stuck at " << ops_done << " operations before the first cycle";
  while (ops_done < min_ops || cycles < min_cycles) {
    const int mark = ops_done;
    if (cycles >= min_cycles) {  // enough chaos: let the churn finish its operations
      ASSERT_TRUE(romana::testing::WaitUntil([&] { return ops_done >= min_ops; }, std::chrono::seconds(300)))
          << "the churn is stuck at " << ops_done << " operations";
      break;
    }
    absl::StatusOr<int> leader;
    ASSERT_TRUE(romana::testing::WaitUntil([&] { return (leader = lab.RomanadLeader()).ok(); }, std::chrono::seconds(30)))
        << "no romanad replica leads: " << leader.status();
    const int member = cycles % lab.etcd_members();
    const int node = 1 + cycles % kNodes;
    // Every second cycle freezes the leader (SIGSTOP, as a long GC pause or a stalled VM would)
    // instead of killing it: its lease runs out, the other replica takes over, and when it runs
    // again it must step down without a single stale write (the invariants below would see one).
    const bool freeze = cycles % 2 == 1;
    const int other = (*leader + 1) % lab.romanad_replicas();
    std::cerr << "chaos: cycle " << cycles + 1 << " (" << ops_done << " ops done, " << churn.live_count()
              << " pods live): " << (freeze ? "SIGSTOP" : "SIGKILL") << " romanad replica " << *leader
              << " (leader), SIGKILL etcd member " << member << " and the agent of node-" << node << "\n";
    const auto killed = Clock::now();
    const pid_t frozen = freeze ? lab.romanad_pid(*leader) : 0;
    bool stopped = false;
    absl::Cleanup thaw = [&] {  // also when an assertion below ends the test
      if (stopped) kill(frozen, SIGCONT);
    };
    if (freeze) {
      ASSERT_EQ(kill(frozen, SIGSTOP), 0);
      stopped = true;
    } else {
      ASSERT_TRUE(lab.StopRomanadReplica(*leader, /*sigkill=*/true).ok());
    }
    ASSERT_TRUE(lab.StopEtcdMember(member, /*sigkill=*/true).ok());
    ASSERT_TRUE(lab.StopAgent(node, /*sigkill=*/true).ok());
    if (freeze) {
      ASSERT_TRUE(romana::testing::WaitUntil([&] { return lab.RomanadLeads(other).value_or(false); },
                                             std::chrono::seconds(60)))
          << "replica " << other << " did not take over from the frozen leader";
    } else {
      // Down for a while (the schedule of the chaos, not a wait for a condition): the churn goes on.
      std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1200));
    }
    // Any order must work: etcd or romanad first (2 of 3 members are a quorum); the agent before
    // its romanad replica is back (it must wait for it) or after (it must become ready at once).
    const bool agent_first = rng() % 3 == 0;
    if (agent_first) {
      ASSERT_TRUE(lab.StartAgent(node, /*wait_ready=*/false).ok());
    }
    const bool etcd_first = rng() % 2 == 0;
    for (int step = 0; step < 2; ++step) {
      absl::Status s;
      if ((step == 0) == etcd_first) {
        s = lab.StartEtcdMember(member);
      } else if (freeze) {
        s = kill(frozen, SIGCONT) == 0 ? absl::OkStatus() : absl::InternalError("SIGCONT failed");
        stopped = false;
      } else {
        s = lab.StartRomanadReplica(*leader);
      }
      ASSERT_TRUE(s.ok()) << s;
    }
    if (freeze) {  // the thawed replica answers again and knows it no longer leads
      ASSERT_TRUE(romana::testing::WaitUntil(
          [&] { return lab.RomanadLeads(*leader).ok() && !*lab.RomanadLeads(*leader); }, std::chrono::seconds(60)))
          << "replica " << *leader << " still claims to lead (or does not answer) after it was frozen and thawed";
    }
    if (agent_first) {
      ASSERT_TRUE(romana::testing::WaitUntil([&] { return lab.AgentReady(node).value_or(false); }, std::chrono::seconds(60)))
          << "the agent of node-" << node << ", started before its romanad replica, never became ready";
    } else {
      absl::Status agent = lab.StartAgent(node);  // waits until it is ready (synced)
      ASSERT_TRUE(agent.ok()) << agent;
    }
    absl::StatusOr<int> next;
    ASSERT_TRUE(romana::testing::WaitUntil([&] { return (next = lab.RomanadLeader()).ok(); }, std::chrono::seconds(30)))
        << "no romanad replica leads after the restart: " << next.status();
    recoveries.push_back(Seconds(Clock::now() - killed));
    ++cycles;
    ASSERT_TRUE(romana::testing::WaitUntil([&] { return ops_done >= mark + ops_per_cycle; }, std::chrono::seconds(300)))
        << "the churn is stuck at " << ops_done << " operations after cycle " << cycles;
  }
  enough = true;
  for (std::thread& t : threads) t.join();
  threads.clear();
  const double churn_seconds = Seconds(Clock::now() - churn_start);

  // --- what the operations saw ---
  const std::vector<OpRecord> records = churn.records();
  int adds = 0, dels = 0, failed = 0, retried = 0;
  std::map<int, int> errors;
  std::vector<std::chrono::milliseconds> took;
  for (const OpRecord& r : records) {
    (r.kind == OpRecord::kAdd ? adds : dels) += 1;
    if (!r.ok) {
      ++failed;
      ADD_FAILURE() << (r.kind == OpRecord::kAdd ? "ADD " : "DEL ") << r.pod << " on node-" << r.node
                    << " failed after " << r.attempts << " attempt(s): " << r.last_error;
    }
    if (!r.cni_errors.empty()) ++retried;
    for (const auto& [code, n] : r.cni_errors) {
      errors[code] += n;
      EXPECT_EQ(code, 11) << r.pod << ": CNI error " << code << " is not \"try again later\": " << r.last_error;
    }
    took.push_back(r.took);
  }
  std::sort(took.begin(), took.end());
  const double median = took.empty() ? 0 : took[took.size() / 2].count() / 1000.0;
  const double slowest = took.empty() ? 0 : took.back().count() / 1000.0;
  std::string error_summary;
  for (const auto& [code, n] : errors) absl::StrAppend(&error_summary, " code ", code, " x", n);
  std::printf("chaos: %zu pod operations (%d ADD, %d DEL) in %.1f s with %d kill cycles; %d retried (CNI errors:%s), "
              "%d failed; median %.2f s, slowest %.1f s; %d pods live at the end; each cycle, from the kills until all ran and a replica led: %s s\n",
              records.size(), adds, dels, churn_seconds, cycles, retried, error_summary.empty() ? " none" : error_summary.c_str(),
              failed, median, slowest, churn.live_count(),
              absl::StrJoin(recoveries, ", ", [](std::string* out, double s) { absl::StrAppend(out, absl::SixDigits(s)); }).c_str());
  EXPECT_GE(cycles, min_cycles);
  EXPECT_GE(static_cast<int>(records.size()), min_ops);
  for (const std::string& d : churn.duplicates()) ADD_FAILURE() << "duplicate address: " << d;

  // --- convergence, then the invariants ---
  const auto settle_start = Clock::now();
  absl::Status converged = lab.WaitConverged();  // every agent ready, every node's routes as romanad's blocks say
  ASSERT_TRUE(converged.ok()) << converged;
  const std::vector<LivePod> live = churn.LiveForCheck();
  for (int replica = 0; replica < lab.romanad_replicas(); ++replica) {
    std::vector<std::string> problems;
    // A follower's reads follow etcd: give it a bounded moment to catch up with the last write.
    romana::testing::WaitUntil([&] { return (problems = IpamProblemsOn(lab, replica, live)).empty(); },
                               std::chrono::seconds(20));
    EXPECT_TRUE(problems.empty()) << "romanad replica " << replica << " against the " << live.size()
                                  << " live pods:\n  " << absl::StrJoin(problems, "\n  ");
  }
  for (const auto& [n, info] : lab.nodes()) {
    std::vector<LivePod> here;
    for (const LivePod& p : live) {
      if (p.node == info.name) here.push_back(p);
    }
    absl::StatusOr<std::string> routes =
        lab.Exec(info.netns, {"ip", "-j", "route", "show", "table", "main", "proto", "82", "scope", "link"});
    absl::StatusOr<std::string> links = lab.Exec(info.netns, {"ip", "-j", "link", "show", "type", "veth"});
    ASSERT_TRUE(routes.ok() && links.ok()) << info.name;
    std::vector<std::string> problems = AttachmentProblems(*routes, *links, here);
    EXPECT_TRUE(problems.empty()) << info.name << ":\n  " << absl::StrJoin(problems, "\n  ");
    absl::StatusOr<std::string> want = lab.ExpectedRoutes(n), have = lab.RouteTable(n);
    ASSERT_TRUE(want.ok() && have.ok()) << info.name;
    EXPECT_EQ(*have, *want) << info.name << ": routes differ from romanad's blocks";
    EXPECT_EQ(lab.AgentReady(n).value_or(false), true) << info.name << "'s agent is not ready";
  }
  std::printf("chaos: converged and checked in %.1f s (%zu live pods, %zu nodes)\n", Seconds(Clock::now() - settle_start),
              live.size(), lab.nodes().size());
}

}  // namespace
}  // namespace romana::chaos
