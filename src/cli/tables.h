// tables.h: romanactl's table output for each kind of answer romanad gives. Pure; thread-safe.
// Each builder takes the JSON answer (a list {"<kind>": [...]} or one object) and returns one row
// per item.
#ifndef ROMANA_CLI_TABLES_H_
#define ROMANA_CLI_TABLES_H_

#include <string>

#include "cli/output.h"
#include "nlohmann/json.hpp"

namespace romana::cli {

// The field `key` of object `j` as text: a string as it is, another value as JSON; "" when absent.
std::string Str(const nlohmann::json& j, const char* key);

Table HostsTable(const nlohmann::json& j);
// One row per host, then one more per policy error it reported.
Table HostStatusesTable(const nlohmann::json& j);
Table NetworksTable(const nlohmann::json& j);
Table BlocksTable(const nlohmann::json& j);
// Groups (GET /groups) with, in HOSTS, the hosts whose record names the group (GET /hosts):
// group membership is stored in the host records.
Table GroupsTable(const nlohmann::json& groups, const nlohmann::json& hosts);
Table AddressesTable(const nlohmann::json& j);
Table PoliciesTable(const nlohmann::json& j);
Table NetworkPoliciesTable(const nlohmann::json& j);
// One row per VIP; NODE "<none>" while no node serves it, PORTS "port/protocol,...".
Table VipsTable(const nlohmann::json& j);

}  // namespace romana::cli

#endif  // ROMANA_CLI_TABLES_H_
