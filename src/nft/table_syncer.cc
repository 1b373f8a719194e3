#include "nft/table_syncer.h"

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace romana::nft {

using json = nlohmann::json;

size_t TableSyncer::applied_elements() const {
  if (!applied_) return 0;
  size_t n = 0;
  for (const auto& [name, s] : applied_->sets) n += s.elements.size();
  return n;
}

void TableSyncer::Invalidate(const std::string& reason) {
  if (known_) spdlog::info("nft {} {}: will re-read the table: {}", options_.family, options_.name, reason);
  known_ = false;
}

absl::Status TableSyncer::ReadActual() {
  const json list = Document(json::array(
      {json{{"list", json{{"table", json{{"family", options_.family}, {"name", options_.name}}}}}}}));
  absl::StatusOr<json> out = runner_.Run(list);
  if (absl::IsNotFound(out.status())) {
    applied_.reset();
  } else if (!out.ok()) {
    return out.status();
  } else {
    absl::StatusOr<TableState> state = ParseListing(*out, options_.family, options_.name);
    if (!state.ok()) return state.status();
    applied_ = *std::move(state);
  }
  known_ = true;
  last_read_ = clock_.Now();
  return absl::OkStatus();
}

absl::Status TableSyncer::Sync(const Table& desired) {
  last_stats_ = DiffStats{};
  if (!known_ || clock_.Now() - last_read_ >= options_.resync_interval) {
    const bool was_known = known_;
    const std::optional<TableState> before = applied_;
    if (absl::Status s = ReadActual(); !s.ok()) {
      known_ = false;
      return s;
    }
    if (was_known && before != applied_) {
      spdlog::warn("nft {} {}: table changed behind our back ({}); repairing", options_.family,
                   options_.name, applied_ ? "contents differ" : "table deleted");
    }
  }
  DiffStats stats;
  json commands = DiffTable(desired, applied_, &stats);
  if (commands.empty()) return absl::OkStatus();
  if (absl::StatusOr<json> out = runner_.Run(Document(std::move(commands))); !out.ok()) {
    known_ = false;
    return out.status();
  }
  applied_ = StateOf(desired);
  last_stats_ = stats;
  spdlog::debug("nft {} {}: applied (recreate={}, +{}/-{} elements, {} chains written, {} deleted)",
                options_.family, options_.name, stats.recreate, stats.elements_added,
                stats.elements_deleted, stats.chains_written, stats.chains_deleted);
  return absl::OkStatus();
}

absl::Status TableSyncer::Remove() {
  last_stats_ = DiffStats{};
  if (known_ && !applied_ && clock_.Now() - last_read_ < options_.resync_interval) {
    return absl::OkStatus();  // known absent: nothing to do
  }
  if (absl::StatusOr<json> out = runner_.Run(Document(RemoveTableCommands(options_.family, options_.name)));
      !out.ok()) {
    known_ = false;
    return out.status();
  }
  applied_.reset();
  known_ = true;
  last_read_ = clock_.Now();
  return absl::OkStatus();
}

}  // namespace romana::nft
