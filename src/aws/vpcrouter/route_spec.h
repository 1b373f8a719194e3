// route_spec.h: the route spec (destination CIDR -> candidate router IPs) and its parsers.
//
// The JSON format is vpc-router's: {"10.55.16.0/24": ["10.33.20.142"], ...}. Host lists are
// deduplicated and sorted; an empty list is legal and means "no route for this CIDR" (any
// existing one is deleted). Pure functions, thread-safe.
#ifndef ROMANA_AWS_VPCROUTER_ROUTE_SPEC_H_
#define ROMANA_AWS_VPCROUTER_ROUTE_SPEC_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace romana::vpcrouter {

// CIDR (canonical "a.b.c.d/n") -> sorted, unique IPv4 addresses.
using RouteSpec = std::map<std::string, std::vector<std::string>>;

// Parses and validates vpc-router's JSON spec. Errors: InvalidArgument naming the key and the
// reason (not an object, bad CIDR, host bits set, value not a list, bad IP). Nothing partial is
// returned.
absl::StatusOr<RouteSpec> ParseRouteSpecJson(const std::string& text);

// Builds a spec from romanad's `GET /groups` and `GET /hosts` answers (docs/api.md): every leaf,
// non-padding group with a CIDR and at least one host becomes CIDR -> IPs of its hosts. A
// group's hosts are the hosts whose "groups" ({network: path}) name it: membership is stored in
// the host records (a group object does not list its hosts). Errors: InvalidArgument for
// malformed documents (a host without an "ip", a bad CIDR or IP).
absl::StatusOr<RouteSpec> RouteSpecFromRomanad(const std::string& groups_json,
                                               const std::string& hosts_json);

// Builds a spec from the original Romana IPAM JSON (`/romana/ipam/data`): networks.*.host_groups
// walked children first; a group with a "cidr" and a non-empty "hosts" list maps to the hosts'
// "ip". Kept for operators migrating from the Go Romana.
absl::StatusOr<RouteSpec> RouteSpecFromLegacyIpam(const std::string& ipam_json);

// The same from the group and host records romanad keeps in the store (docs/store-layout.md,
// `<prefix>/groups/...` and `<prefix>/hosts/...`, as key-value pairs). Host records of the old
// layout (whose group records also listed "host_ips") have the same "ip" and "groups", so both
// layouts give the same spec. Errors: InvalidArgument naming the bad record.
absl::StatusOr<RouteSpec> RouteSpecFromStoreRecords(const std::vector<std::pair<std::string, std::string>>& groups,
                                                   const std::vector<std::pair<std::string, std::string>>& hosts);

// The CIDRs (canonical, sorted, unique) of romanad's `GET /networks` answer
// ({"networks": [{"name", "cidr", ...}]}). Errors: InvalidArgument naming the bad entry.
absl::StatusOr<std::vector<std::string>> NetworkCidrsFromRomanad(const std::string& networks_json);

// The CIDRs (canonical, sorted, unique) of the network records romanad keeps in the store
// (`<prefix>/networks/<name>`). Errors: InvalidArgument naming the bad record.
absl::StatusOr<std::vector<std::string>> NetworkCidrsFromRecords(
    const std::vector<std::pair<std::string, std::string>>& key_values);

// True when no CIDR of `spec` has a host: acting on it would delete every route it manages.
bool RoutesNothing(const RouteSpec& spec);

// Every host IP in the spec, sorted and unique.
std::vector<std::string> AllHosts(const RouteSpec& spec);

// The spec as JSON (for the status page).
std::string RouteSpecToJson(const RouteSpec& spec);

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_ROUTE_SPEC_H_
