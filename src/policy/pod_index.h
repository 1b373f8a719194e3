// pod_index.h: finds the pods of a Cluster that a PodSelection selects, without scanning every
// pod for every selector: pods are indexed by namespace and, within it, by label (key, value).
// Immutable after construction; thread-safe for concurrent Select calls.
#ifndef ROMANA_POLICY_POD_INDEX_H_
#define ROMANA_POLICY_POD_INDEX_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "policy/cluster.h"
#include "policy/model.h"

namespace romana::policy {

class PodIndex {
 public:
  // Indexes the pods of `cluster` for which `include(pod)` is true. `cluster` must outlive the
  // index and not change while it is used.
  template <typename Predicate>
  PodIndex(const Cluster& cluster, Predicate include) : cluster_(cluster) {
    for (const Namespace& ns : cluster.namespaces) Entry(ns.name).labels = EffectiveNamespaceLabels(ns.name, ns.labels);
    for (size_t i = 0; i < cluster.pods.size(); ++i) {
      if (include(cluster.pods[i])) Add(static_cast<int>(i));
    }
  }

  // Indices into cluster.pods of the selected pods, ascending.
  std::vector<int> Select(const PodSelection& selection) const;

 private:
  struct NamespaceEntry {
    Labels labels;  // effective labels (kNamespaceNameLabel included)
    std::vector<int> pods;
    std::map<std::pair<std::string, std::string>, std::vector<int>> by_label;
  };

  NamespaceEntry& Entry(const std::string& name);
  void Add(int pod);
  void SelectIn(const NamespaceEntry& ns, const LabelSelector& pods, std::vector<int>& out) const;

  const Cluster& cluster_;
  std::map<std::string, NamespaceEntry> namespaces_;
};

}  // namespace romana::policy

#endif  // ROMANA_POLICY_POD_INDEX_H_
