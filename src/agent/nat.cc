#include "agent/nat.h"

#include <nftables/libnftables.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "spdlog/spdlog.h"

namespace romana::agent {

absl::StatusOr<std::unique_ptr<LibNftables>> LibNftables::Create() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (ctx == nullptr) return absl::InternalError("nft_ctx_new failed");
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  return std::unique_ptr<LibNftables>(new LibNftables(ctx));
}

LibNftables::~LibNftables() { nft_ctx_free(ctx_); }

absl::StatusOr<std::string> LibNftables::Run(const std::string& commands) {
  int rc = nft_run_cmd_from_buffer(ctx_, commands.c_str());
  std::string out = nft_ctx_get_output_buffer(ctx_);
  std::string err = nft_ctx_get_error_buffer(ctx_);
  if (rc != 0) return absl::InternalError(absl::StrCat("nft: ", err.empty() ? "failed" : err));
  return out;
}

absl::StatusOr<std::string> RenderNatRuleset(const NatConfig& config) {
  const std::string table = absl::StrCat(kNatFamily, " ", kNatTable);
  // "add table" makes the delete valid when the table does not exist yet.
  std::string batch = absl::StrCat("add table ", table, "\ndelete table ", table, "\n");
  if (!config.enabled || config.networks.empty()) return batch;
  if (!config.interface.empty() &&
      (config.interface.size() > 15 ||
       config.interface.find_first_of("\"' \t\n;{}") != std::string::npos)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--nat-interface: '", config.interface, "' is not a valid interface name"));
  }
  const std::string nets = absl::StrJoin(config.networks, ", ");
  absl::StrAppend(&batch, "table ", table, " {\n",
                  "  comment \"managed by romana-agent; replaced as a whole\"\n",
                  "  set romana-networks {\n    type ipv4_addr\n    flags interval\n",
                  "    elements = { ", nets, " }\n  }\n",
                  "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n",
                  "    ip saddr @romana-networks ip daddr != @romana-networks ");
  if (!config.interface.empty()) absl::StrAppend(&batch, "oifname \"", config.interface, "\" ");
  absl::StrAppend(&batch, "counter masquerade comment \"romana: pods leaving the Romana networks\"\n",
                  "  }\n}\n");
  return batch;
}

absl::StatusOr<std::string> NatSyncer::ListOurs() {
  absl::StatusOr<std::string> out =
      nft_.Run(absl::StrCat("list table ", kNatFamily, " ", kNatTable));
  if (!out.ok()) return std::string();  // absent table lists as an error: treat as empty
  // Counters change with traffic; strip them so the listing compares structure only.
  std::string listing;
  for (absl::string_view line : absl::StrSplit(*out, '\n')) {
    size_t pos = line.find(" counter packets ");
    if (pos != absl::string_view::npos) {
      size_t end = line.find(" bytes ", pos);
      end = end == absl::string_view::npos ? line.size() : line.find(' ', end + 7);
      std::string l(line.substr(0, pos));
      if (end != absl::string_view::npos) l += std::string(line.substr(end));
      absl::StrAppend(&listing, l, "\n");
    } else {
      absl::StrAppend(&listing, line, "\n");
    }
  }
  return listing;
}

absl::Status NatSyncer::Sync(const NatConfig& config) {
  absl::StatusOr<std::string> batch = RenderNatRuleset(config);
  if (!batch.ok()) return batch.status();
  bool write = !applied_batch_.has_value() || *applied_batch_ != *batch;
  if (!write && clock_.Now() - last_check_ >= resync_interval_) {
    absl::StatusOr<std::string> listing = ListOurs();
    if (!listing.ok()) return listing.status();
    last_check_ = clock_.Now();
    if (*listing != applied_listing_) {
      spdlog::info("nat: table {} changed behind our back; rewriting it", kNatTable);
      write = true;
    }
  }
  if (!write) return absl::OkStatus();
  ++writes_;
  if (absl::StatusOr<std::string> out = nft_.Run(*batch); !out.ok()) {
    applied_batch_.reset();
    return out.status();
  }
  applied_batch_ = *batch;
  absl::StatusOr<std::string> listing = ListOurs();
  if (!listing.ok()) return listing.status();
  applied_listing_ = *listing;
  last_check_ = clock_.Now();
  spdlog::info("nat: table {} {} ({} network(s), interface '{}')", kNatTable,
               config.enabled && !config.networks.empty() ? "written" : "removed",
               config.networks.size(), config.interface);
  return absl::OkStatus();
}

absl::Status NatSyncer::RemoveAll() {
  applied_batch_.reset();
  return nft_.Run(absl::StrCat("add table ", kNatFamily, " ", kNatTable, "\ndelete table ",
                               kNatFamily, " ", kNatTable, "\n"))
      .status();
}

}  // namespace romana::agent
