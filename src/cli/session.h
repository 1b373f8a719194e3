// session.h: what every romanactl subcommand shares for one run: the output streams, the output
// format and the romanad client, with the calls and printers built on them. Not thread-safe: one
// command line runs on one thread.
#ifndef ROMANA_CLI_SESSION_H_
#define ROMANA_CLI_SESSION_H_

#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/client.h"
#include "cli/output.h"
#include "nlohmann/json.hpp"

namespace romana::cli {

// Builds the table of a JSON answer (table output only).
using TableOf = std::function<Table(const nlohmann::json&)>;

class Session {
 public:
  // The streams must outlive this object.
  Session(std::ostream& out, std::ostream& err, std::istream& in) : out_(out), err_(err), in_(in) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  Format format() const { return format_; }
  void set_format(Format format) { format_ = format; }
  // REQUIRES: set_client() was called (Run does before any command's action).
  const api::Client& client() const { return *client_; }
  void set_client(std::unique_ptr<api::Client> client) { client_ = std::move(client); }

  // Sends one request; returns the JSON body of a 2xx answer, or the error romanad answered
  // (api::Client::StatusFromResponse). `http_status`, when given, receives the 2xx code.
  absl::StatusOr<nlohmann::json> Call(const std::string& method, const std::string& path, const std::string& body = "",
                                      int* http_status = nullptr);
  // Prints a failed call's error (with the field and conflicts romanad named); returns its exit code.
  int Fail(const absl::Status& status);
  // Prints "error: <message>"; returns `exit_code`.
  int Error(absl::string_view message, int exit_code);
  // Error(message, kExitUsage): bad arguments or input given to the tool.
  int Usage(absl::string_view message);
  // Prints `j` as JSON/YAML, or in table output as the table `table` builds.
  void Print(const nlohmann::json& j, const TableOf& table);
  // GET `path` and print the answer with `table`; returns the exit code.
  int Show(const std::string& path, const TableOf& table);
  // Prints `text` in table output, else the answer `j`; returns kExitOk.
  int Message(const nlohmann::json& j, const std::string& text);
  // The contents of `file`, or of the input stream for "" and "-". InvalidArgument when unreadable.
  absl::StatusOr<std::string> ReadInput(const std::string& file);

 private:
  std::ostream& out_;
  std::ostream& err_;
  std::istream& in_;
  Format format_ = Format::kTable;
  std::unique_ptr<api::Client> client_;
};

}  // namespace romana::cli

#endif  // ROMANA_CLI_SESSION_H_
