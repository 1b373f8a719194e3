// address_gc.h: which romanad addresses belong to no pod any more (a CNI DEL lost in a crash
// or a node that died with its pods) and may be released. Pure: time and state are passed in.
//
// An address is an orphan while its IP is no existing pod's IP on the pod network. It is
// released only after it has been an orphan, without interruption, for `grace`: the CNI plugin
// allocates an address before the kubelet reports the pod's IP, so a young address without a
// pod is normal. An address that is seen with a pod again starts over.
// Thread-compatible.
#ifndef ROMANA_LISTENER_ADDRESS_GC_H_
#define ROMANA_LISTENER_ADDRESS_GC_H_

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/types.h"

namespace romana::listener {

class AddressGc {
 public:
  explicit AddressGc(std::chrono::milliseconds grace) : grace_(grace) {}

  // `addresses`: every address romanad holds now; `pod_ips`: the IPs of every existing pod.
  // Returns the names of the addresses to release now (orphans for at least `grace`); they are
  // forgotten (a failed release is found again on the next call, after another grace period).
  std::vector<std::string> Collect(const std::vector<api::Address>& addresses, const std::set<std::string>& pod_ips,
                                   std::chrono::steady_clock::time_point now);
  size_t orphans() const { return orphan_since_.size(); }

 private:
  const std::chrono::milliseconds grace_;
  std::map<std::string, std::chrono::steady_clock::time_point> orphan_since_;  // address name ->
};

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_ADDRESS_GC_H_
