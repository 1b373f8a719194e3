// resources.h: the kinds of object the lab's Kubernetes API serves (docs/lab-kubernetes-api.md)
// and how a request path names them. Pure data; immutable after construction, so safe to read
// from any thread.
#ifndef ROMANA_KUBE_APISERVER_RESOURCES_H_
#define ROMANA_KUBE_APISERVER_RESOURCES_H_

#include <string>
#include <vector>

namespace romana::kube_apiserver {

struct ResourceInfo {
  std::string group;     // "" = the core group (served under /api/v1)
  std::string version;   // "v1"
  std::string plural;    // "pods": the path segment; unique across the served groups
  std::string singular;  // "pod"
  std::string kind;      // "Pod"
  bool namespaced = false;
  std::vector<std::string> short_names;  // "po"
  std::vector<std::string> categories;   // "all"
  // Fields a fieldSelector may name besides metadata.name and metadata.namespace.
  std::vector<std::string> selectable_fields;

  // "v1" or "networking.k8s.io/v1": the apiVersion of the objects.
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "pods" or "networkpolicies.networking.k8s.io": how errors name the resource.
  std::string qualified() const { return group.empty() ? plural : plural + "." + group; }
  // "/api/v1" or "/apis/networking.k8s.io/v1".
  std::string path_prefix() const { return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version; }
};

// core/v1 nodes, namespaces (cluster-scoped), pods, services, endpoints, events (namespaced);
// networking.k8s.io/v1 networkpolicies; coordination.k8s.io/v1 leases (namespaced).
const std::vector<ResourceInfo>& ServedResources();

// The index in ServedResources() of the resource `plural`, or -1.
int ResourceIndex(const std::string& plural);

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_RESOURCES_H_
