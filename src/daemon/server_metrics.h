// server_metrics.h: the Prometheus metrics of the REST server (private to server*.cc).
#ifndef ROMANA_DAEMON_SERVER_METRICS_H_
#define ROMANA_DAEMON_SERVER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "daemon/server.h"

namespace romana::daemon {

struct Server::Metrics {
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Gauge& watch_streams;
  prometheus::Counter& watch_events;
  prometheus::Gauge& leader;
  prometheus::Counter& forwarded;
  prometheus::Family<prometheus::Gauge>& cache;  // romanad_watch_cache{what=...}, set at each scrape
  prometheus::Gauge& connections;
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_SERVER_METRICS_H_
