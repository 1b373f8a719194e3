// runner.h: runs nftables commands given as libnftables JSON documents
// ({"nftables":[{"add":{...}}, ...]}, libnftables-json(5)). Every document is one transaction:
// all of its commands apply or none does. Documents are built as nlohmann::json values from
// validated data, never as ruleset text.
//
// LibNftablesRunner is the real runner (libnftables in the network namespace of the thread that
// called Create). Not thread-safe: one runner per thread.
#ifndef ROMANA_NFT_RUNNER_H_
#define ROMANA_NFT_RUNNER_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

struct nft_ctx;

namespace romana::nft {

class Runner {
 public:
  virtual ~Runner() = default;
  // Runs `document` ({"nftables":[commands...]}) as one transaction. Returns nft's JSON output
  // (the listing for "list" commands; an empty object when nft printed nothing).
  // Errors: NotFound when nft failed with ENOENT ("No such file or directory": the object a
  // command names does not exist); Internal with nft's error text for any other failure.
  // On error nothing of the document was applied.
  virtual absl::StatusOr<nlohmann::json> Run(const nlohmann::json& document) = 0;
};

class LibNftablesRunner final : public Runner {
 public:
  // Errors: Internal when libnftables cannot make a context.
  static absl::StatusOr<std::unique_ptr<LibNftablesRunner>> Create();
  ~LibNftablesRunner() override;
  LibNftablesRunner(const LibNftablesRunner&) = delete;
  LibNftablesRunner& operator=(const LibNftablesRunner&) = delete;

  absl::StatusOr<nlohmann::json> Run(const nlohmann::json& document) override;

 private:
  explicit LibNftablesRunner(::nft_ctx* ctx) : ctx_(ctx) {}
  ::nft_ctx* ctx_;
};

// A document of commands: {"nftables": commands}.
inline nlohmann::json Document(nlohmann::json commands) {
  return nlohmann::json{{"nftables", std::move(commands)}};
}

}  // namespace romana::nft

#endif  // ROMANA_NFT_RUNNER_H_
