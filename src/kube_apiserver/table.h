// table.h: server-side printing for the lab's Kubernetes API (docs/lab-kubernetes-api.md): the
// meta.k8s.io Table that `kubectl get` asks for with
// "Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...", so that it prints the columns a
// real cluster shows (pods NAME READY STATUS RESTARTS AGE, nodes NAME STATUS ROLES AGE
// VERSION, ...) instead of NAME and AGE.
//
// The columns and cells follow Kubernetes' printers (pkg/printers/internalversion/printers.go)
// for the served resources; like the Kubernetes API server, every row carries all cells, the
// wide ones (priority 1) included, and kubectl shows those only with -o wide. Where the real
// API server would have defaulted a field the stand-in stores as written (a Service's type and
// port protocols, a Pod's podIPs from podIP, a Service's clusterIPs from clusterIP), the cells
// show the defaulted value. AGE and the time in RESTARTS are relative to `now`, in the format of
// k8s.io/apimachinery's duration.HumanDuration.
//
// Pure functions, no I/O; safe from any thread.
#ifndef ROMANA_KUBE_APISERVER_TABLE_H_
#define ROMANA_KUBE_APISERVER_TABLE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::kube_apiserver {

// A meta.k8s.io TableColumnDefinition.
struct TableColumn {
  std::string name;    // "Name", "Ready", ...; kubectl prints it upper-cased
  std::string type;    // "string" (every column of the served resources)
  std::string format;  // "name" for the name column, else ""
  std::string description;
  int priority = 0;  // 1: shown only with -o wide
};

// What a request asks for when it asks for a Table.
struct TableRequest {
  enum class Include { kNone, kMetadata, kObject };  // the includeObject parameter
  std::string version = "v1";                        // of meta.k8s.io: "v1" or "v1beta1"
  Include include = Include::kMetadata;
};

// Reads the Accept header and the includeObject query parameter. The media ranges are taken in
// order: the first that this server can answer decides. A Table range (application/json, */*
// or application/* with as=Table, g=meta.k8s.io and v=v1 or v1beta1) gives a TableRequest; a
// range without "as" gives nullopt (plain JSON, as before); ranges with q=0 or an "as" this
// server does not render (PartialObjectMetadata, other groups or versions) are skipped, and
// when every range is skipped the answer is nullopt too. Errors: InvalidArgument naming
// includeObject when a Table is asked for and includeObject is not None, Metadata or Object.
absl::StatusOr<std::optional<TableRequest>> ParseTableRequest(const std::string& accept,
                                                              const std::string& include_object);

// The columns of the resource `plural` ("pods", "nodes", ...). Resources with a printer in
// Kubernetes: nodes, namespaces, pods, services, endpoints, networkpolicies, leases and events;
// any other gets the API server's default table (Name, Created At).
const std::vector<TableColumn>& TableColumns(const std::string& plural);

// The cells of `object`'s row: one per TableColumns(plural) entry, wide ones included. Fields
// missing from `object` print as Kubernetes prints unset ones ("<none>", "<unknown>", "0/0").
nlohmann::json TableCells(const std::string& plural, const nlohmann::json& object,
                          std::chrono::system_clock::time_point now);

// The row conditions of `object`: for a pod in phase Succeeded or Failed, the Completed
// condition Kubernetes attaches; null otherwise.
nlohmann::json TableRowConditions(const std::string& plural, const nlohmann::json& object);

// A meta.k8s.io Table of `objects` (JSON texts of the resource's objects, in order) with the
// given list metadata (resourceVersion, continue; may be empty). `with_columns` false leaves
// columnDefinitions null, as the API server does in watch events after the first. Each row has
// its cells, its object (none, a PartialObjectMetadata, or the whole object, per `request`) and,
// for a pod that has finished, the Completed condition. Text that does not parse as JSON is a
// programming error (the store holds only what it rendered).
nlohmann::json TableDocument(const std::string& plural, const TableRequest& request,
                             const std::vector<std::string_view>& objects, nlohmann::json list_metadata,
                             bool with_columns, std::chrono::system_clock::time_point now);

// k8s.io/apimachinery duration.HumanDuration: "45s", "5m3s", "12m", "3h20m", "20h", "3d4h", "40d",
// "2y30d", "9y"; "0s" for -1 s, "<invalid>" for less.
std::string HumanDuration(std::chrono::system_clock::duration d);

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_TABLE_H_
