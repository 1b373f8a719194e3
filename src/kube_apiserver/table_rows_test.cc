// The cells of each served resource's Table row (table.h), case by case as Kubernetes'
// printers.go prints them.
#include "gtest/gtest.h"
#include "kube_apiserver/table.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

// 2027-01-15T08:00:00Z plus 5m3s.
const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::from_time_t(1'800'000'000) + std::chrono::seconds(303);
constexpr char kCreated[] = "2027-01-15T08:00:00Z";  // = from_time_t(1'800'000'000)

json Cells(const std::string& plural, const json& object) { return TableCells(plural, object, kNow); }

json Meta(const std::string& name) { return {{"name", name}, {"creationTimestamp", kCreated}}; }

json Running(const std::string& name, bool ready, int restarts = 0) {
  return {{"name", name}, {"ready", ready}, {"restartCount", restarts}, {"state", {{"running", json::object()}}}};
}

json Pod(json containers_status, int containers = 1) {
  json specs = json::array();
  for (int i = 0; i < containers; ++i) specs.push_back({{"name", "c" + std::to_string(i)}});
  return {
      {"metadata", Meta("web-0")},
      {"spec", {{"containers", specs}, {"nodeName", "node-a"}}},
      {"status", {{"phase", "Running"}, {"podIP", "10.1.0.5"}, {"containerStatuses", std::move(containers_status)}}}};
}

TEST(PodRowTest, ReadyRunningAndWideCells) {
  EXPECT_EQ(Cells("pods", Pod({Running("c0", true)})),
            json({"web-0", "1/1", "Running", "0", "5m3s", "10.1.0.5", "node-a", "<none>", "<none>"}));
  // Two containers, one not ready; podIPs wins over podIP; nominated node; readiness gates.
  json pod = Pod({Running("c0", true), Running("c1", false)}, 2);
  pod["status"]["podIPs"] = {{{"ip", "fd00::5"}}, {{"ip", "10.1.0.5"}}};
  pod["status"]["nominatedNodeName"] = "node-b";
  pod["spec"]["readinessGates"] = {{{"conditionType", "example.com/lb"}}, {{"conditionType", "example.com/x"}}};
  pod["status"]["conditions"] = {{{"type", "example.com/lb"}, {"status", "True"}},
                                 {{"type", "example.com/x"}, {"status", "False"}}};
  EXPECT_EQ(Cells("pods", pod), json({"web-0", "1/2", "Running", "0", "5m3s", "fd00::5", "node-a", "node-b", "1/2"}));
}

TEST(PodRowTest, BarePodPrintsUnsetFields) {
  json pod = {{"metadata", {{"name", "bare"}}}};
  EXPECT_EQ(Cells("pods", pod), json({"bare", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"}));
  pod["status"] = {{"phase", "Pending"}};
  pod["spec"] = {{"containers", {{{"name", "c"}}}}};
  EXPECT_EQ(Cells("pods", pod)[1], "0/1");
  EXPECT_EQ(Cells("pods", pod)[2], "Pending");
}

TEST(PodRowTest, RestartsCountAndHowLongAgo) {
  json c = Running("c0", true, 3);
  c["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", "2027-01-15T08:03:00Z"}}}};
  json c1 = Running("c1", true, 2);
  c1["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", "2027-01-15T08:01:00Z"}}}};
  EXPECT_EQ(Cells("pods", Pod({c, c1}, 2))[3], "5 (2m3s ago)");  // the latest termination
  // Restarts without a recorded termination time: the count alone.
  EXPECT_EQ(Cells("pods", Pod({Running("c0", true, 4)}))[3], "4");
}

TEST(PodRowTest, StatusFromContainerStates) {
  json waiting = {{"name", "c0"}, {"ready", false}, {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}};
  EXPECT_EQ(Cells("pods", Pod({waiting}))[2], "CrashLoopBackOff");
  json oom = {{"name", "c0"}, {"state", {{"terminated", {{"reason", "OOMKilled"}, {"exitCode", 137}}}}}};
  EXPECT_EQ(Cells("pods", Pod({oom}))[2], "OOMKilled");
  json signal = {{"name", "c0"}, {"state", {{"terminated", {{"signal", 9}, {"exitCode", 137}}}}}};
  EXPECT_EQ(Cells("pods", Pod({signal}))[2], "Signal:9");
  json code = {{"name", "c0"}, {"state", {{"terminated", {{"exitCode", 2}}}}}};
  EXPECT_EQ(Cells("pods", Pod({code}))[2], "ExitCode:2");
  // The first container's state wins (containers are read last to first).
  EXPECT_EQ(Cells("pods", Pod({waiting, oom}, 2))[2], "CrashLoopBackOff");
  // status.reason overrides the phase: an evicted pod.
  json evicted = Pod(json::array());
  evicted["status"]["phase"] = "Failed";
  evicted["status"]["reason"] = "Evicted";
  EXPECT_EQ(Cells("pods", evicted)[2], "Evicted");
}

TEST(PodRowTest, CompletedWithARunningContainerIsRunningOrNotReady) {
  json done = {{"name", "c1"}, {"state", {{"terminated", {{"reason", "Completed"}, {"exitCode", 0}}}}}};
  json pod = Pod({Running("c0", true), done}, 2);
  EXPECT_EQ(Cells("pods", pod)[2], "NotReady");
  pod["status"]["conditions"] = {{{"type", "Ready"}, {"status", "True"}}};
  EXPECT_EQ(Cells("pods", pod)[2], "Running");
}

TEST(PodRowTest, InitContainers) {
  json pod = Pod({Running("c0", false)});
  pod["spec"]["initContainers"] = {{{"name", "i0"}}, {{"name", "i1"}}};
  pod["status"]["phase"] = "Pending";
  json i0_done = {{"name", "i0"}, {"state", {{"terminated", {{"exitCode", 0}}}}}};
  json i1_running = {{"name", "i1"}, {"restartCount", 1}, {"state", {{"running", json::object()}}}};
  pod["status"]["initContainerStatuses"] = {i0_done, i1_running};
  EXPECT_EQ(Cells("pods", pod)[2], "Init:1/2");
  EXPECT_EQ(Cells("pods", pod)[3], "1");  // init restarts count while initializing
  pod["status"]["initContainerStatuses"][1] = {{"name", "i1"},
                                               {"state", {{"waiting", {{"reason", "ImagePullBackOff"}}}}}};
  EXPECT_EQ(Cells("pods", pod)[2], "Init:ImagePullBackOff");
  pod["status"]["initContainerStatuses"][1] = {{"name", "i1"},
                                               {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}};
  EXPECT_EQ(Cells("pods", pod)[2], "Init:1/2");
  pod["status"]["initContainerStatuses"][1] = {{"name", "i1"}, {"state", {{"terminated", {{"exitCode", 3}}}}}};
  EXPECT_EQ(Cells("pods", pod)[2], "Init:ExitCode:3");
  pod["status"]["initContainerStatuses"][1] = {{"name", "i1"},
                                               {"state", {{"terminated", {{"exitCode", 1}, {"reason", "Error"}}}}}};
  EXPECT_EQ(Cells("pods", pod)[2], "Init:Error");
}

TEST(PodRowTest, SidecarInitContainersCountAsContainers) {
  json pod = Pod({Running("c0", true, 1)});
  pod["spec"]["initContainers"] = {{{"name", "proxy"}, {"restartPolicy", "Always"}}};
  pod["status"]["initContainerStatuses"] = {{{"name", "proxy"},
                                             {"started", true},
                                             {"ready", true},
                                             {"restartCount", 2},
                                             {"state", {{"running", json::object()}}}}};
  json cells = Cells("pods", pod);
  EXPECT_EQ(cells[1], "2/2");
  EXPECT_EQ(cells[2], "Running");
  EXPECT_EQ(cells[3], "3");
  pod["status"]["initContainerStatuses"][0]["ready"] = false;
  EXPECT_EQ(Cells("pods", pod)[1], "1/2");
}

TEST(PodRowTest, TerminatingSchedulingGatedAndNodeLost) {
  json pod = Pod({Running("c0", true)});
  pod["metadata"]["deletionTimestamp"] = "2027-01-15T08:05:00Z";
  EXPECT_EQ(Cells("pods", pod)[2], "Terminating");
  pod["status"]["reason"] = "NodeLost";
  EXPECT_EQ(Cells("pods", pod)[2], "Unknown");
  json done = Pod(json::array());
  done["status"]["phase"] = "Succeeded";
  done["metadata"]["deletionTimestamp"] = "2027-01-15T08:05:00Z";
  EXPECT_EQ(Cells("pods", done)[2], "Succeeded");  // a finished pod is not "Terminating"
  json gated = Pod(json::array());
  gated["status"]["phase"] = "Pending";
  gated["status"]["conditions"] = {{{"type", "PodScheduled"}, {"status", "False"}, {"reason", "SchedulingGated"}}};
  EXPECT_EQ(Cells("pods", gated)[2], "SchedulingGated");
}

TEST(PodRowTest, RowConditionsOnlyForFinishedPods) {
  const std::string pods = "pods";
  json pod = Pod(json::array());
  EXPECT_TRUE(TableRowConditions(pods, pod).is_null());
  pod["status"]["phase"] = "Failed";
  EXPECT_EQ(TableRowConditions(pods, pod)[0]["reason"], "Failed");
  EXPECT_EQ(TableRowConditions(pods, pod)[0]["message"], "The pod failed.");
  EXPECT_TRUE(TableRowConditions("nodes", pod).is_null());
}

TEST(NodeRowTest, StatusRolesVersionAndWideCells) {
  json node = {{"metadata", Meta("node-a")}};
  EXPECT_EQ(Cells("nodes", node), json({"node-a", "Unknown", "<none>", "5m3s", "", "<none>", "<none>", "<unknown>",
                                        "<unknown>", "<unknown>"}));
  node["metadata"]["labels"] = {{"node-role.kubernetes.io/control-plane", ""},
                                {"node-role.kubernetes.io/", "ignored"},
                                {"kubernetes.io/role", "edge"},
                                {"zone", "a"}};
  node["spec"] = {{"unschedulable", true}};
  node["status"] = {
      {"conditions", {{{"type", "MemoryPressure"}, {"status", "False"}}, {{"type", "Ready"}, {"status", "True"}}}},
      {"addresses",
       {{{"type", "Hostname"}, {"address", "node-a"}},
        {{"type", "InternalIP"}, {"address", "192.168.0.2"}},
        {{"type", "InternalIP"}, {"address", "192.168.0.3"}},
        {{"type", "ExternalIP"}, {"address", "203.0.113.9"}}}},
      {"nodeInfo",
       {{"kubeletVersion", "v1.32.4"},
        {"osImage", "Debian GNU/Linux 12 (bookworm)"},
        {"kernelVersion", "6.1.0-18-amd64"},
        {"containerRuntimeVersion", "containerd://1.7.0"}}}};
  EXPECT_EQ(Cells("nodes", node),
            json({"node-a", "Ready,SchedulingDisabled", "control-plane,edge", "5m3s", "v1.32.4", "192.168.0.2",
                  "203.0.113.9", "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64", "containerd://1.7.0"}));
  node["status"]["conditions"][1]["status"] = "Unknown";
  node["spec"]["unschedulable"] = false;
  EXPECT_EQ(Cells("nodes", node)[1], "NotReady");
}

TEST(ServiceRowTest, TypesAddressesAndPorts) {
  json svc = {{"metadata", Meta("web")},
              {"spec",
               {{"clusterIP", "10.96.0.10"},
                {"ports", {{{"port", 80}, {"protocol", "TCP"}}, {{"port", 443}, {"nodePort", 30443}}}},
                {"selector", {{"tier", "front"}, {"app", "web"}}}}}};
  // No type: the API server's default, ClusterIP; no protocol: TCP.
  EXPECT_EQ(Cells("services", svc),
            json({"web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,443:30443/TCP", "5m3s", "app=web,tier=front"}));
  svc["spec"]["clusterIPs"] = {"10.96.0.11", "fd00::11"};
  svc["spec"]["type"] = "NodePort";
  svc["spec"]["externalIPs"] = {"198.51.100.1", "198.51.100.2"};
  svc["spec"]["ports"][0]["protocol"] = "UDP";
  EXPECT_EQ(Cells("services", svc), json({"web", "NodePort", "10.96.0.11", "198.51.100.1,198.51.100.2",
                                          "80/UDP,443:30443/TCP", "5m3s", "app=web,tier=front"}));
  svc["spec"]["type"] = "LoadBalancer";
  EXPECT_EQ(Cells("services", svc)[3], "198.51.100.1,198.51.100.2");
  svc["spec"].erase("externalIPs");
  EXPECT_EQ(Cells("services", svc)[3], "<pending>");
  svc["status"] = {
      {"loadBalancer",
       {{"ingress", {{{"ip", "203.0.113.7"}}, {{"hostname", "lb.example.com"}}, {{"ip", "203.0.113.7"}}}}}}};
  EXPECT_EQ(Cells("services", svc)[3], "203.0.113.7,lb.example.com");  // sorted, unique, never clipped
  json ext = {{"metadata", Meta("db")}, {"spec", {{"type", "ExternalName"}, {"externalName", "db.example.com"}}}};
  EXPECT_EQ(Cells("services", ext),
            json({"db", "ExternalName", "<none>", "db.example.com", "<none>", "5m3s", "<none>"}));
  ext["spec"]["type"] = "Weird";
  EXPECT_EQ(Cells("services", ext)[3], "<unknown>");
}

TEST(EndpointsRowTest, AddressesPortsAndMore) {
  json ep = {{"metadata", Meta("web")}};
  EXPECT_EQ(Cells("endpoints", ep), json({"web", "<none>", "5m3s"}));
  ep["subsets"] = {{{"addresses", {{{"ip", "10.1.0.5"}}, {{"ip", "fd00::5"}}}}, {"ports", {{{"port", 8080}}}}}};
  EXPECT_EQ(Cells("endpoints", ep)[1], "10.1.0.5:8080,[fd00::5]:8080");
  ep["subsets"].push_back({{"addresses", {{{"ip", "10.1.0.6"}}, {{"ip", "10.1.0.7"}}, {{"ip", "10.1.0.8"}}}}});
  EXPECT_EQ(Cells("endpoints", ep)[1], "10.1.0.5:8080,[fd00::5]:8080,10.1.0.6 + 2 more...");
  ep["subsets"] = {{{"addresses", {{{"ip", "10.1.0.9"}}}}}};  // headless, no ports
  EXPECT_EQ(Cells("endpoints", ep)[1], "10.1.0.9");
}

TEST(NetworkPolicyRowTest, PodSelector) {
  json np = {{"metadata", Meta("allow-web")}, {"spec", {{"podSelector", {{"matchLabels", {{"app", "web"}}}}}}}};
  EXPECT_EQ(Cells("networkpolicies", np), json({"allow-web", "app=web", "5m3s"}));
  np["spec"]["podSelector"] = json::object();
  EXPECT_EQ(Cells("networkpolicies", np)[1], "<none>");
  np["spec"].erase("podSelector");
  EXPECT_EQ(Cells("networkpolicies", np)[1], "<none>");
  np["spec"]["podSelector"] = json::parse(R"({"matchLabels":{"tier":"db","app":"x"},"matchExpressions":[
      {"key":"env","operator":"NotIn","values":["prod","dev"]},
      {"key":"zone","operator":"In","values":["b","a"]},
      {"key":"canary","operator":"DoesNotExist"},
      {"key":"role","operator":"Exists"}]})");
  EXPECT_EQ(Cells("networkpolicies", np)[1], "app=x,!canary,env notin (dev,prod),role,tier=db,zone in (a,b)");
  np["spec"]["podSelector"] = json::parse(R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})");
  EXPECT_EQ(Cells("networkpolicies", np)[1], "<error>");
  np["spec"]["podSelector"] = json::parse(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})");
  EXPECT_EQ(Cells("networkpolicies", np)[1], "<error>");
  np["spec"]["podSelector"] = json::parse(R"({"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]})");
  EXPECT_EQ(Cells("networkpolicies", np)[1], "<error>");
}

TEST(OtherRowsTest, NamespacesLeasesAndAges) {
  json ns = {{"metadata", Meta("shop")}, {"status", {{"phase", "Active"}}}};
  EXPECT_EQ(Cells("namespaces", ns), json({"shop", "Active", "5m3s"}));
  ns["metadata"]["creationTimestamp"] = "not a time";
  EXPECT_EQ(Cells("namespaces", ns)[2], "<unknown>");
  ns["metadata"]["creationTimestamp"] = "2027-01-15T08:05:04Z";  // 1 s in the future: clock skew
  EXPECT_EQ(Cells("namespaces", ns)[2], "0s");
  ns["metadata"]["creationTimestamp"] = "2027-01-15T08:05:06Z";
  EXPECT_EQ(Cells("namespaces", ns)[2], "<invalid>");
  ns["metadata"]["creationTimestamp"] = "2027-01-14T10:05:03+01:00";  // 23 h ago, with an offset
  EXPECT_EQ(Cells("namespaces", ns)[2], "23h");
  ns["metadata"]["creationTimestamp"] = "0001-01-01T00:00:00Z";  // Go's zero time: unset
  EXPECT_EQ(Cells("namespaces", ns)[2], "<unknown>");
  ns["metadata"]["creationTimestamp"] = "0001-01-01T00:00:01Z";  // beyond a chrono duration: clamped
  EXPECT_EQ(Cells("namespaces", ns)[2], "200y");
  ns["metadata"]["creationTimestamp"] = "9999-12-31T23:59:59Z";
  EXPECT_EQ(Cells("namespaces", ns)[2], "<invalid>");
  json lease = {{"metadata", Meta("romana-listener")}, {"spec", {{"holderIdentity", "listener-a"}}}};
  EXPECT_EQ(Cells("leases", lease), json({"romana-listener", "listener-a", "5m3s"}));
  lease["spec"].erase("holderIdentity");
  EXPECT_EQ(Cells("leases", lease)[1], "");
}

TEST(OtherRowsTest, MistypedFieldsReadAsUnset) {
  json pod = {{"metadata", {{"name", "odd"}, {"creationTimestamp", 5}}},
              {"spec", {{"containers", "none"}, {"nodeName", 7}}},
              {"status", {{"containerStatuses", {{{"ready", "yes"}, {"restartCount", "2"}}}}}}};
  EXPECT_EQ(Cells("pods", pod), json({"odd", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"}));
}

TEST(EventRowTest, CoreV1EventsAndSeries) {
  json ev =
      json::parse(R"({"metadata":{"name":"web-0.17a","namespace":"shop","creationTimestamp":"2027-01-15T08:00:00Z"},
      "involvedObject":{"kind":"Pod","name":"web-0","fieldPath":"spec.containers{app}"},
      "reason":"BackOff","message":"  Back-off restarting failed container\n","type":"Warning",
      "source":{"component":"kubelet","host":"node-a"},
      "firstTimestamp":"2027-01-15T08:00:00Z","lastTimestamp":"2027-01-15T08:04:00Z","count":4})");
  EXPECT_EQ(Cells("events", ev),
            json({"63s", "Warning", "BackOff", "pod/web-0", "spec.containers{app}", "kubelet, node-a",
                  "Back-off restarting failed container", "5m3s", 4, "web-0.17a"}));
  // The events.k8s.io shape: eventTime, reporting controller, a series, no involved name.
  ev = json::parse(R"({"metadata":{"name":"e"},"involvedObject":{"kind":"Node"},"reason":"Ready","type":"Normal",
      "eventTime":"2027-01-15T08:01:00.123456Z","reportingComponent":"romana-listener",
      "series":{"count":7,"lastObservedTime":"2027-01-15T08:05:00.000000Z"}})");
  EXPECT_EQ(Cells("events", ev), json({"3s", "Normal", "Ready", "node", "", "romana-listener", "", "4m2s", 7, "e"}));
  ev.erase("series");
  EXPECT_EQ(Cells("events", ev)[0], "4m2s");  // last seen = first seen (fractions truncated)
  EXPECT_EQ(Cells("events", ev)[8], 1);       // a singleton
}

TEST(DefaultRowTest, ResourcesWithoutAPrinter) {
  EXPECT_EQ(Cells("widgets", {{"metadata", Meta("w")}}), json({"w", kCreated}));
}

}  // namespace
}  // namespace romana::kube_apiserver
