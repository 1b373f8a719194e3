#include "cli/session.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "cli/romanactl.h"

namespace romana::cli {

absl::StatusOr<nlohmann::json> Session::Call(const std::string& method, const std::string& path,
                                             const std::string& body, int* http_status) {
  absl::StatusOr<api::RawResponse> r = client_->Do(method, path, body);
  if (!r.ok()) return r.status();
  if (absl::Status s = api::Client::StatusFromResponse(r->status, r->body); !s.ok()) return s;
  if (http_status != nullptr) *http_status = r->status;
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return absl::InternalError("romanad answered invalid JSON");
  return j;
}

int Session::Fail(const absl::Status& s) {
  err_ << "error: " << s.message();
  if (auto f = api::FieldOf(s); f.has_value() && s.message().find(*f) == absl::string_view::npos) {
    err_ << " (field " << *f << ")";
  }
  err_ << "\n";
  if (auto conflicts = api::DetailOf(s, "conflicts")) err_ << "conflicts: " << *conflicts << "\n";
  return ExitCodeFor(s);
}

int Session::Error(absl::string_view message, int exit_code) {
  err_ << "error: " << message << "\n";
  return exit_code;
}

int Session::Usage(absl::string_view message) { return Error(message, kExitUsage); }

void Session::Print(const nlohmann::json& j, const TableOf& table) {
  if (format_ == Format::kJson) PrintJson(j, out_);
  else if (format_ == Format::kYaml) PrintYaml(j, out_);
  else PrintTable(table(j), out_);
}

int Session::Show(const std::string& path, const TableOf& table) {
  absl::StatusOr<nlohmann::json> j = Call("GET", path);
  if (!j.ok()) return Fail(j.status());
  Print(*j, table);
  return kExitOk;
}

int Session::Message(const nlohmann::json& j, const std::string& text) {
  if (format_ == Format::kTable) out_ << text << "\n";
  else Print(j, nullptr);
  return kExitOk;
}

absl::StatusOr<std::string> Session::ReadInput(const std::string& file) {
  std::stringstream ss;
  if (file.empty() || file == "-") {
    ss << in_.rdbuf();
  } else {
    std::ifstream f(file);
    if (!f) return absl::InvalidArgumentError(absl::StrCat("cannot read ", file));
    ss << f.rdbuf();
  }
  return ss.str();
}

}  // namespace romana::cli
