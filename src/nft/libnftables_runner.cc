#include <nftables/libnftables.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nft/runner.h"

namespace romana::nft {

absl::StatusOr<std::unique_ptr<LibNftablesRunner>> LibNftablesRunner::Create() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (ctx == nullptr) return absl::InternalError("nft_ctx_new failed");
  nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  return std::unique_ptr<LibNftablesRunner>(new LibNftablesRunner(ctx));
}

LibNftablesRunner::~LibNftablesRunner() { nft_ctx_free(ctx_); }

absl::StatusOr<nlohmann::json> LibNftablesRunner::Run(const nlohmann::json& document) {
  const std::string input = document.dump();
  const int rc = nft_run_cmd_from_buffer(ctx_, input.c_str());
  const std::string out = nft_ctx_get_output_buffer(ctx_);
  const std::string err = nft_ctx_get_error_buffer(ctx_);
  if (rc != 0) {
    std::string message(absl::StripAsciiWhitespace(err));
    if (message.empty()) message = "failed";
    // libnftables reports the kernel's errno as strerror text; ENOENT is the only one we map.
    if (absl::StrContains(message, "No such file or directory")) {
      return absl::NotFoundError(absl::StrCat("nft: ", message));
    }
    return absl::InternalError(absl::StrCat("nft: ", message));
  }
  if (absl::StripAsciiWhitespace(out).empty()) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return absl::InternalError("nft: output is not JSON");
  return parsed;
}

}  // namespace romana::nft
