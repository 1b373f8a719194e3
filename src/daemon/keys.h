// keys.h: where romanad keeps its own records in the store, and which watch kind a key has.
//
// Layout under the prefix (default "/romana"; the IPAM keys are documented in
// docs/store-layout.md and written by the ipam library):
//   <prefix>/policies/<id>                 Policy JSON
//   <prefix>/namespaces/<name>             Namespace JSON
//   <prefix>/endpoints/<namespace>/<name>  Endpoint JSON
//   <prefix>/networkpolicies/<namespace>/<name>  Kubernetes NetworkPolicy JSON, as received
//   <prefix>/hoststatus/<host>             HostStatus JSON, the host's agent's last report
//   <prefix>/vips/<namespace>/<service>    Vip JSON (api/vip.h)
//   <prefix>/vip-addresses/<ip>            "<namespace>/<service>": the VIP holding the address
//   <prefix>/leader                        the HA leader record (attached to the leader's lease)
// The watch kind of a key is its first path component after the prefix when that is one of
// api::AllWatchKinds() ("hosts", "blocks", ...); other keys (leader, internal) are never
// streamed. Pure; thread-safe.
#ifndef ROMANA_DAEMON_KEYS_H_
#define ROMANA_DAEMON_KEYS_H_

#include <string>

namespace romana::daemon {

class Keys {
 public:
  // `prefix` like "/romana" (a leading '/' is added, trailing ones removed).
  explicit Keys(std::string prefix);

  const std::string& prefix() const { return prefix_; }
  std::string Dir(const std::string& plural) const { return prefix_ + "/" + plural + "/"; }
  std::string Policy(const std::string& id) const { return Dir("policies") + id; }
  std::string Namespace(const std::string& name) const { return Dir("namespaces") + name; }
  std::string Endpoint(const std::string& ns, const std::string& name) const {
    return Dir("endpoints") + ns + "/" + name;
  }
  std::string NetworkPolicy(const std::string& ns, const std::string& name) const {
    return Dir("networkpolicies") + ns + "/" + name;
  }
  std::string HostStatus(const std::string& host) const { return Dir("hoststatus") + host; }
  std::string Vip(const std::string& ns, const std::string& service) const { return Dir("vips") + ns + "/" + service; }
  std::string VipAddress(const std::string& ip) const { return Dir("vip-addresses") + ip; }
  std::string Leader() const { return prefix_ + "/leader"; }
  std::string SchemaVersion() const { return prefix_ + "/schema-version"; }

  // The plural watch kind of `key` ("hosts"), or "" for keys that are not streamed.
  std::string KindOf(const std::string& key) const;

 private:
  std::string prefix_;
};

// Normalises a prefix flag value: "romana/" -> "/romana".
std::string NormalizePrefix(std::string prefix);

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_KEYS_H_
