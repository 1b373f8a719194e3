#include "daemon/flags.h"

#include <fstream>
#include <vector>

#include "base/testing/flag_parsing.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::daemon {
namespace {

// Parses `args` into `flags` as romanad does.
void Parse(DaemonFlags& flags, std::vector<std::string> args) {
  CLI::App app{"test"};
  AddDaemonFlags(app, flags);
  romana::testing::ParseArgs(app, "romanad", std::move(args));
}

TEST(DaemonFlagsTest, DefaultsGiveTheDocumentedConfig) {
  DaemonFlags flags;
  Parse(flags, {});
  const DaemonConfig c = DaemonConfigFrom(flags, "");
  EXPECT_EQ(c.listen, ":9600");
  EXPECT_EQ(c.store_path, "/var/lib/romana/romana.db");
  EXPECT_EQ(c.prefix, "/romana");
  EXPECT_EQ(c.lease_ttl, std::chrono::seconds(5));
  EXPECT_EQ(c.bookmark_interval, std::chrono::seconds(5));
  EXPECT_EQ(c.header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.kubernetes_service_host, "");
  EXPECT_EQ(flags.logging.level, "info");
  EXPECT_EQ(DaemonConfigFrom(flags, "10.96.0.1").kubernetes_service_host, "10.96.0.1");
}

TEST(DaemonFlagsTest, AFullCommandLineReachesTheConfig) {
  testing::TempDir dir;
  const std::string file = dir.File("pem");
  std::ofstream(file) << "x";
  DaemonFlags flags;
  Parse(flags, {"--listen", "127.0.0.1:9700", "--advertise-url", "https://r1:9700", "--tls-cert-file", file,
                "--tls-key-file", file, "--token-file", file, "--auth-reads", "--store", ":memory:",
                "--etcd-endpoints", "https://e:2379", "--etcd-prefix", "/r", "--leader-ca-file", file,
                "--etcd-ca-file", file, "--etcd-cert-file", file, "--etcd-key-file", file, "--initial-topology-file",
                file, "--network-cidr-overrides", "a=10.0.0.0/8", "--cloud", "aws", "--lease-ttl", "3",
                "--watch-bookmark-interval-ms", "100", "--max-body-bytes", "2048", "--http-threads", "8",
                "--watch-cache-events", "1000", "--watch-cache-bytes", "65536", "--io-threads", "2",
                "--watch-stream-nice", "0", "--max-connections", "10", "--http-header-timeout-ms", "200",
                "--http-idle-timeout-ms", "300", "--log-level", "debug", "--log-format", "json"});
  const DaemonConfig c = DaemonConfigFrom(flags, "");
  EXPECT_EQ(c.listen, "127.0.0.1:9700");
  EXPECT_EQ(c.advertise_url, "https://r1:9700");
  EXPECT_EQ(c.tls_cert_file, file);
  EXPECT_EQ(c.token_file, file);
  EXPECT_TRUE(c.auth_reads);
  EXPECT_EQ(c.store_path, ":memory:");
  EXPECT_EQ(c.etcd_endpoints, "https://e:2379");
  EXPECT_EQ(c.prefix, "/r");
  EXPECT_EQ(c.initial_network_file, file);
  EXPECT_EQ(c.network_cidr_overrides, "a=10.0.0.0/8");
  EXPECT_EQ(c.cloud, "aws");
  EXPECT_EQ(c.lease_ttl, std::chrono::seconds(3));
  EXPECT_EQ(c.bookmark_interval, std::chrono::milliseconds(100));
  EXPECT_EQ(c.max_body_bytes, 2048u);
  EXPECT_EQ(c.http_threads, 8);
  EXPECT_EQ(c.watch_cache_events, 1000u);
  EXPECT_EQ(c.watch_cache_bytes, 65536u);
  EXPECT_EQ(c.io_threads, 2);
  EXPECT_EQ(c.watch_stream_nice, 0);
  EXPECT_EQ(c.max_connections, 10u);
  EXPECT_EQ(c.header_timeout, std::chrono::milliseconds(200));
  EXPECT_EQ(c.idle_timeout, std::chrono::milliseconds(300));
  EXPECT_EQ(flags.logging.level, "debug");
  EXPECT_EQ(flags.logging.format, "json");
}

TEST(DaemonFlagsTest, EachFlagIsCheckedWhileParsing) {
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--lease-ttl", "1"}, {"--http-threads", "2"}, {"--cloud", "gcp"}, {"--log-level", "loud"},
           {"--token-file", "/nonexistent/token"}, {"--watch-bookmark-interval-ms", "5"}}) {
    DaemonFlags flags;
    try {
      Parse(flags, bad);
      ADD_FAILURE() << bad[0] << " " << bad[1] << " was accepted";
    } catch (const CLI::ValidationError& e) {
      EXPECT_NE(std::string(e.what()).find(bad[0]), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace romana::daemon
