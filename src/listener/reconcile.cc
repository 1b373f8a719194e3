#include "listener/reconcile.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace romana::listener {

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kHost: return "host";
    case Kind::kNamespace: return "namespace";
    case Kind::kEndpoint: return "endpoint";
    case Kind::kNetworkPolicy: return "networkpolicy";
  }
  return "?";
}

std::string Describe(const Op& op) {
  const char* verb = op.type == Op::Type::kPut ? "put" : op.type == Op::Type::kDelete ? "delete" : "relabel";
  return absl::StrCat(verb, " ", KindName(op.kind), " ", op.key);
}

namespace {

void DiffHost(const std::string& name, const DesiredState& desired, const ActualState& actual, std::vector<Op>& out) {
  auto d = desired.hosts.find(name);
  auto a = actual.hosts.find(name);
  if (a != actual.hosts.end() && a->second.is_static) return;  // the topology's, not ours
  if (d == desired.hosts.end()) {
    if (a != actual.hosts.end() && !desired.untranslatable_nodes.count(name)) {
      out.push_back({.kind = Kind::kHost, .type = Op::Type::kDelete, .key = name});
    }
    return;
  }
  if (a == actual.hosts.end() || a->second.ip != d->second.ip) {
    if (a != actual.hosts.end()) out.push_back({.kind = Kind::kHost, .type = Op::Type::kDelete, .key = name});
    out.push_back({.kind = Kind::kHost, .type = Op::Type::kPut, .key = name, .host = d->second});
  } else if (a->second.labels != d->second.labels) {
    out.push_back({.kind = Kind::kHost, .type = Op::Type::kRelabel, .key = name, .host = d->second});
  }
}

template <typename T>
void DiffPlain(Kind kind, const std::string& key, const std::map<std::string, T>& desired,
               const std::map<std::string, T>& actual, std::vector<Op>& out, T Op::*field) {
  auto d = desired.find(key);
  auto a = actual.find(key);
  if (d == desired.end()) {
    if (a != actual.end()) out.push_back({.kind = kind, .type = Op::Type::kDelete, .key = key});
    return;
  }
  if (a != actual.end() && a->second == d->second) return;
  Op op{.kind = kind, .type = Op::Type::kPut, .key = key};
  op.*field = d->second;
  out.push_back(std::move(op));
}

// Calls fn(key) for every key of `a` or `b`, once each, in order (a merge of the two sorted
// maps: no copy of 150,000 keys into a set).
template <typename A, typename B, typename Fn>
void ForEachKey(const std::map<std::string, A>& a, const std::map<std::string, B>& b, const Fn& fn) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && i->first < j->first)) {
      fn((i++)->first);
    } else if (i == a.end() || j->first < i->first) {
      fn((j++)->first);
    } else {
      fn(i->first);
      ++i;
      ++j;
    }
  }
}

}  // namespace

std::vector<Op> DiffKey(Kind kind, const std::string& key, const DesiredState& desired, const ActualState& actual) {
  std::vector<Op> out;
  switch (kind) {
    case Kind::kHost: DiffHost(key, desired, actual, out); break;
    case Kind::kNamespace: DiffPlain(kind, key, desired.namespaces, actual.namespaces, out, &Op::ns); break;
    case Kind::kEndpoint: DiffPlain(kind, key, desired.endpoints, actual.endpoints, out, &Op::endpoint); break;
    case Kind::kNetworkPolicy:
      DiffPlain(kind, key, desired.network_policies, actual.network_policies, out, &Op::policy);
      break;
  }
  return out;
}

std::vector<Op> Diff(const DesiredState& desired, const ActualState& actual) {
  std::vector<Op> deletes, puts;  // deletes first, each in the order found
  auto add = [&](Kind kind) {
    return [&, kind](const std::string& key) {
      for (Op& op : DiffKey(kind, key, desired, actual)) {
        (op.type == Op::Type::kDelete ? deletes : puts).push_back(std::move(op));
      }
    };
  };
  ForEachKey(desired.hosts, actual.hosts, add(Kind::kHost));
  ForEachKey(desired.namespaces, actual.namespaces, add(Kind::kNamespace));
  ForEachKey(desired.endpoints, actual.endpoints, add(Kind::kEndpoint));
  ForEachKey(desired.network_policies, actual.network_policies, add(Kind::kNetworkPolicy));
  deletes.reserve(deletes.size() + puts.size());
  std::move(puts.begin(), puts.end(), std::back_inserter(deletes));
  return deletes;
}

void ApplyToActual(const Op& op, ActualState& actual) {
  const bool del = op.type == Op::Type::kDelete;
  switch (op.kind) {
    case Kind::kHost:
      if (del) {
        actual.hosts.erase(op.key);
      } else {
        api::Host& h = actual.hosts[op.key];
        h.name = op.host.name;
        h.ip = op.host.ip;
        h.labels = op.host.labels;
      }
      break;
    case Kind::kNamespace:
      if (del) actual.namespaces.erase(op.key); else actual.namespaces[op.key] = op.ns;
      break;
    case Kind::kEndpoint:
      if (del) actual.endpoints.erase(op.key); else actual.endpoints[op.key] = op.endpoint;
      break;
    case Kind::kNetworkPolicy:
      if (del) actual.network_policies.erase(op.key); else actual.network_policies[op.key] = op.policy;
      break;
  }
}

}  // namespace romana::listener
