#include "base/testing/proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace romana::testing {

namespace {

long StatusBytes(pid_t pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string key;
  long kb = 0;
  while (in >> key) {
    if (key == field) {
      in >> kb;
      break;
    }
  }
  return kb * 1024;
}

}  // namespace

long RssBytes(pid_t pid) { return StatusBytes(pid, "VmRSS:"); }
long PeakRssBytes(pid_t pid) { return StatusBytes(pid, "VmHWM:"); }

double CpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t name_end = s.rfind(')');
  if (name_end == std::string::npos || name_end + 2 > s.size()) return 0;
  std::vector<std::string> f = absl::StrSplit(s.substr(name_end + 2), ' ');
  // Fields after the name: state(0) ... utime(11) stime(12), in clock ticks.
  double user = 0, sys = 0;
  if (f.size() < 13 || !absl::SimpleAtod(f[11], &user) || !absl::SimpleAtod(f[12], &sys)) return 0;
  return (user + sys) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace romana::testing
