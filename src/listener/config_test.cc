#include "listener/config.h"

#include <vector>

#include "absl/strings/match.h"
#include "base/testing/flag_parsing.h"
#include "gtest/gtest.h"

namespace romana::listener {
namespace {

// Parses `args` into a fresh config as romana-listener does.
ListenerConfig Parse(std::vector<std::string> args) {
  ListenerConfig config;
  CLI::App app{"test"};
  AddListenerFlags(app, config);
  romana::testing::ParseArgs(app, "romana-listener", std::move(args));
  return config;
}

using romana::testing::ExpectInvalidNaming;

TEST(ListenerConfigTest, DefaultsGiveTheDocumentedOptions) {
  ListenerConfig config = Parse({});
  ExpectInvalidNaming(Validate(config), "--identity");  // leader election needs a name: main() fills it in
  config.identity = DefaultIdentity({{"POD_NAME", "romana-listener-0"}});
  EXPECT_EQ(config.identity, "romana-listener-0");
  ASSERT_TRUE(Validate(config).ok()) << Validate(config);
  EXPECT_TRUE(absl::StrContains(DefaultIdentity({}), "_"));  // hostname_pid

  const ListenerOptions lo = ListenerOptionsFrom(config, nullptr);
  EXPECT_EQ(lo.resync_interval, std::chrono::seconds(60));
  EXPECT_EQ(lo.retry_interval, std::chrono::seconds(1));
  EXPECT_EQ(lo.address_gc_interval, std::chrono::seconds(60));
  EXPECT_EQ(lo.address_gc_grace, std::chrono::seconds(300));
  EXPECT_EQ(lo.parallelism, 16);
  EXPECT_EQ(lo.watch_timeout_seconds, 300);
  const k8s::LeaderElectorOptions eo = LeaderElectorOptionsFrom(config);
  EXPECT_EQ(eo.lease_namespace, "kube-system");
  EXPECT_EQ(eo.lease_name, "romana-listener");
  EXPECT_EQ(eo.lease_duration, std::chrono::seconds(15));
  EXPECT_EQ(eo.renew_deadline, std::chrono::seconds(10));
  EXPECT_EQ(eo.retry_period, std::chrono::seconds(2));
  absl::StatusOr<api::ClientOptions> co = RomanadClientOptionsFrom(config);
  ASSERT_TRUE(co.ok()) << co.status();
  EXPECT_EQ(co->server, "http://127.0.0.1:9600");
  EXPECT_EQ(co->retry_unavailable_for, std::chrono::seconds(5));
  EXPECT_TRUE(config.vips);
  EXPECT_EQ(config.metrics_listen, "0.0.0.0:9602");
}

TEST(ListenerConfigTest, AFullCommandLineReachesEveryPart) {
  const ListenerConfig c = Parse(
      {"--romanad", "https://romanad:9600", "--romanad-ca-file", "/ca", "--kubeconfig", "/k", "--context", "ctx",
       "--kube-server", "http://127.0.0.1:8080", "--kube-token-file", "/kt", "--leader-elect", "false",
       "--lease-namespace", "romana", "--lease-name", "l", "--identity", "me", "--lease-duration", "30",
       "--renew-deadline", "20", "--retry-period", "5", "--resync-interval", "120", "--retry-interval", "0.5",
       "--address-gc-interval", "30", "--address-gc-grace", "0.25", "--watch-timeout", "0.5", "--parallelism", "4",
       "--vips", "false", "--vip-cidr", "192.168.99.0/24", "--metrics-listen", "", "--log-level", "debug",
       "--log-format", "json"});
  ASSERT_TRUE(Validate(c).ok()) << Validate(c);
  EXPECT_EQ(c.romanad.url, "https://romanad:9600");
  EXPECT_EQ(c.romanad.ca_file, "/ca");
  EXPECT_EQ(c.kubeconfig, "/k");
  EXPECT_EQ(c.context, "ctx");
  EXPECT_EQ(c.kube_token_file, "/kt");
  EXPECT_FALSE(c.leader_elect);
  EXPECT_FALSE(c.vips);
  EXPECT_EQ(c.metrics_listen, "");
  EXPECT_EQ(c.logging.level, "debug");
  EXPECT_EQ(c.logging.format, "json");
  int writes = 0;
  const ListenerOptions lo = ListenerOptionsFrom(c, [&writes] { return ++writes > 0; });
  EXPECT_EQ(lo.resync_interval, std::chrono::seconds(120));
  EXPECT_EQ(lo.retry_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(lo.address_gc_interval, std::chrono::seconds(30));
  EXPECT_EQ(lo.address_gc_grace, std::chrono::milliseconds(250));
  EXPECT_EQ(lo.watch_timeout_seconds, 1);  // at least a second
  EXPECT_EQ(lo.parallelism, 4);
  ASSERT_TRUE(lo.may_write);
  EXPECT_TRUE(lo.may_write());
  EXPECT_EQ(writes, 1);
  const VipControllerOptions vo = VipControllerOptionsFrom(c, nullptr);
  EXPECT_EQ(vo.vip_cidr, "192.168.99.0/24");
  EXPECT_EQ(vo.resync_interval, std::chrono::seconds(120));
  EXPECT_EQ(vo.watch_timeout_seconds, 1);
  const k8s::LeaderElectorOptions eo = LeaderElectorOptionsFrom(c);
  EXPECT_EQ(eo.lease_namespace, "romana");
  EXPECT_EQ(eo.lease_name, "l");
  EXPECT_EQ(eo.identity, "me");
  EXPECT_EQ(eo.lease_duration, std::chrono::seconds(30));
  absl::StatusOr<k8s::KubeConfig> kc = KubeConfigFrom(c, {});
  ASSERT_TRUE(kc.ok()) << kc.status();
  EXPECT_EQ(kc->server, "http://127.0.0.1:8080");  // --kube-server wins over --kubeconfig
  EXPECT_EQ(kc->token_file, "/kt");
  ListenerConfig missing = c;
  missing.kube_server.clear();
  kc = KubeConfigFrom(missing, {});
  EXPECT_EQ(kc.status().code(), absl::StatusCode::kNotFound) << kc.status();  // no file /k
  EXPECT_TRUE(absl::StrContains(kc.status().message(), "Kubernetes config: ")) << kc.status();
}

TEST(ListenerConfigTest, EachBadFlagIsNamed) {
  auto with = [](auto change) {
    ListenerConfig c;
    c.identity = "me";
    change(c);
    return Validate(c);
  };
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.resync_interval = 0; }), "--resync-interval");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.retry_interval = 0.001; }), "--retry-interval");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.address_gc_interval = -1; }), "--address-gc-interval");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.address_gc_grace = 0; }), "--address-gc-grace");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.watch_timeout = 0; }), "--watch-timeout");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.parallelism = 257; }), "--parallelism");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.vip_cidr = "192.168.99.0"; }), "--vip-cidr");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.metrics_listen = "9602"; }), "--metrics-listen");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.renew_deadline = 20; }), "--renew-deadline");
  ExpectInvalidNaming(with([](ListenerConfig& c) { c.logging.level = "loud"; }), "--log-level");
  // Without leader election the Lease settings are not used, so not checked.
  EXPECT_TRUE(with([](ListenerConfig& c) {
                c.leader_elect = false;
                c.identity.clear();
                c.renew_deadline = 20;
              }).ok());
}

TEST(ListenerConfigTest, AnUnreadableRomanadTokenIsNamed) {
  ListenerConfig c;
  c.romanad.token_file = "/nonexistent/token";
  absl::StatusOr<api::ClientOptions> co = RomanadClientOptionsFrom(c);
  ASSERT_FALSE(co.ok());
  EXPECT_TRUE(absl::StrContains(co.status().message(), "--romanad-token-file")) << co.status();
}

}  // namespace
}  // namespace romana::listener
