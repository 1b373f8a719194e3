// proc_stats.h: a process's resident memory and CPU time, read from /proc, for benchmarks that
// print what a server costs. Linux only; thread-safe.
#ifndef ROMANA_BASE_TESTING_PROC_STATS_H_
#define ROMANA_BASE_TESTING_PROC_STATS_H_

#include <sys/types.h>

namespace romana::testing {

// VmRSS of `pid` in bytes; 0 when the process is gone.
long RssBytes(pid_t pid);
// VmHWM (the peak of VmRSS so far) of `pid` in bytes; 0 when the process is gone.
long PeakRssBytes(pid_t pid);
// User + system CPU seconds `pid` has used; 0 when the process is gone.
double CpuSeconds(pid_t pid);

}  // namespace romana::testing

#endif  // ROMANA_BASE_TESTING_PROC_STATS_H_
