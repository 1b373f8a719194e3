// counting_runner.h: a Runner decorator that counts what passes through it (calls, and commands
// by verb: "add", "delete", "flush", "list", ...) and forwards everything to the wrapped runner
// unchanged. Used for metrics and by tests that prove how few commands an apply emits.
// Not thread-safe (like the runner it wraps). `inner` must outlive this object.
#ifndef ROMANA_NFT_COUNTING_RUNNER_H_
#define ROMANA_NFT_COUNTING_RUNNER_H_

#include <map>
#include <string>

#include "nft/runner.h"

namespace romana::nft {

class CountingRunner final : public Runner {
 public:
  explicit CountingRunner(Runner& inner) : inner_(inner) {}

  absl::StatusOr<nlohmann::json> Run(const nlohmann::json& document) override {
    ++calls_;
    const nlohmann::json* commands = document.is_object() && document.contains("nftables")
                                         ? &document.at("nftables") : nullptr;
    bool write = false;
    if (commands != nullptr && commands->is_array()) {
      for (const nlohmann::json& c : *commands) {
        for (const auto& [verb, object] : c.items()) {
          ++commands_[verb];
          // Element commands are counted separately: they are the cheap, incremental kind.
          if (object.is_object() && object.contains("element")) ++element_commands_;
          if (verb != "list") write = true;
        }
      }
    }
    if (write) ++write_calls_;
    return inner_.Run(document);
  }

  // Run() calls, and those that carried at least one non-"list" command (transactions).
  int calls() const { return calls_; }
  int write_calls() const { return write_calls_; }
  // Commands seen with this verb.
  int commands(const std::string& verb) const {
    auto it = commands_.find(verb);
    return it == commands_.end() ? 0 : it->second;
  }
  int total_write_commands() const {
    int n = 0;
    for (const auto& [verb, count] : commands_) n += verb == "list" ? 0 : count;
    return n;
  }
  int element_commands() const { return element_commands_; }
  void Reset() {
    calls_ = write_calls_ = element_commands_ = 0;
    commands_.clear();
  }

 private:
  Runner& inner_;
  int calls_ = 0, write_calls_ = 0, element_commands_ = 0;
  std::map<std::string, int> commands_;
};

}  // namespace romana::nft

#endif  // ROMANA_NFT_COUNTING_RUNNER_H_
