#include "daemon/keys.h"

#include "api/types.h"

namespace romana::daemon {

std::string NormalizePrefix(std::string prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (prefix.empty() || prefix[0] != '/') prefix = "/" + prefix;
  if (prefix == "/") prefix = "/romana";
  return prefix;
}

Keys::Keys(std::string prefix) : prefix_(NormalizePrefix(std::move(prefix))) {}

std::string Keys::KindOf(const std::string& key) const {
  if (key.size() <= prefix_.size() + 1 || key.compare(0, prefix_.size(), prefix_) != 0 ||
      key[prefix_.size()] != '/') {
    return "";
  }
  size_t start = prefix_.size() + 1;
  size_t end = key.find('/', start);
  std::string first = key.substr(start, end == std::string::npos ? std::string::npos : end - start);
  for (const std::string& k : api::AllWatchKinds()) {
    if (k == first) return k;
  }
  return "";
}

}  // namespace romana::daemon
