#include "policy/pod_index.h"

#include <algorithm>

namespace romana::policy {

PodIndex::NamespaceEntry& PodIndex::Entry(const std::string& name) {
  auto [it, inserted] = namespaces_.try_emplace(name);
  if (inserted) it->second.labels = EffectiveNamespaceLabels(name, {});
  return it->second;
}

void PodIndex::Add(int pod) {
  const Pod& p = cluster_.pods[pod];
  NamespaceEntry& ns = Entry(p.namespace_name);
  ns.pods.push_back(pod);
  for (const auto& label : p.labels) ns.by_label[label].push_back(pod);
}

void PodIndex::SelectIn(const NamespaceEntry& ns, const LabelSelector& pods, std::vector<int>& out) const {
  // Candidates: the pods carrying the rarest required (key, value), else every pod.
  const std::vector<int>* candidates = &ns.pods;
  for (const auto& label : pods.match_labels) {
    auto it = ns.by_label.find(label);
    if (it == ns.by_label.end()) return;  // no pod has this required label
    if (it->second.size() < candidates->size()) candidates = &it->second;
  }
  for (int pod : *candidates) {
    if (Matches(pods, cluster_.pods[pod].labels)) out.push_back(pod);
  }
}

std::vector<int> PodIndex::Select(const PodSelection& selection) const {
  std::vector<int> out;
  if (selection.namespace_name.has_value()) {
    auto it = namespaces_.find(*selection.namespace_name);
    if (it != namespaces_.end()) SelectIn(it->second, selection.pods, out);
  } else {
    for (const auto& [name, ns] : namespaces_) {
      if (Matches(selection.namespaces, ns.labels)) SelectIn(ns, selection.pods, out);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace romana::policy
