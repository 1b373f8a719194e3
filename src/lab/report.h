// report.h: what `romana-lab up` prints: nodes, groups, blocks, routes (every node's romana
// table and the router's table) and the pod-to-pod connectivity matrix, as plain-text tables.
// Reads romanad and the namespaces; changes nothing. Thread-compatible.
#ifndef ROMANA_LAB_REPORT_H_
#define ROMANA_LAB_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lab/lab.h"
#include "lab/probe.h"

namespace romana::lab {

// A fixed-width text table.
std::string FormatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

absl::Status PrintCluster(const Lab& lab, std::ostream& out);
void PrintMatrix(const Matrix& m, std::ostream& out);

}  // namespace romana::lab

#endif  // ROMANA_LAB_REPORT_H_
