#include "kube_apiserver/resources.h"

namespace romana::kube_apiserver {

const std::vector<ResourceInfo>& ServedResources() {
  static const auto* const kResources = new std::vector<ResourceInfo>{
      {"", "v1", "nodes", "node", "Node", false, {"no"}, {}, {"spec.unschedulable"}},
      {"", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, {}, {"status.phase"}},
      {"", "v1", "pods", "pod", "Pod", true, {"po"}, {"all"},
       {"spec.nodeName", "spec.hostNetwork", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "status.phase", "status.podIP", "status.nominatedNodeName"}},
      {"", "v1", "services", "service", "Service", true, {"svc"}, {"all"}, {}},
      {"", "v1", "endpoints", "endpoints", "Endpoints", true, {"ep"}, {}, {}},
      // kubectl describe finds an object's events by these fields (involvedObject.*).
      {"", "v1", "events", "event", "Event", true, {"ev"}, {},
       {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
        "reportingComponent", "type"}},
      {"networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, {"netpol"}, {}, {}},
      {"coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {}, {}, {}},
  };
  return *kResources;
}

int ResourceIndex(const std::string& plural) {
  const std::vector<ResourceInfo>& all = ServedResources();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].plural == plural) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace romana::kube_apiserver
