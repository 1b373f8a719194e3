#include "cli/manifest.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/yaml_json.h"

namespace romana::cli {
namespace {

// Notes where each document starts; ignores everything else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  YAML::Mark last;
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp 0.7's LoadAll never returns on input with a ',' outside [] or {} at the start of a
// document (",", "\"a\",", "[a],"): its parser hands out the same empty document forever without
// consuming the token (found by fuzz/manifest_fuzzer.cc). This pass walks the documents first and
// stops at one that starts where the previous one did. Throws YAML::Exception for bad syntax.
absl::Status CheckDocumentsAdvance(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  int previous = -1;
  while (parser.HandleNextDocument(starts)) {
    if (starts.last.pos <= previous) {
      return absl::InvalidArgumentError(absl::StrCat("not valid YAML: line ", starts.last.line + 1, ", column ",
                                                     starts.last.column + 1,
                                                     ": unexpected token (a ',' outside [] or {}?)"));
    }
    previous = starts.last.pos;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<nlohmann::json>> ReadManifests(const std::string& text) {
  if (text.size() > kMaxManifestBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the input is ", text.size(), " bytes, over the limit of ", kMaxManifestBytes, " bytes"));
  }
  std::vector<YAML::Node> docs;
  try {
    if (absl::Status s = CheckDocumentsAdvance(text); !s.ok()) return s;
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not valid YAML or JSON: line ", e.mark.line + 1, ", column ",
                                                   e.mark.column + 1, ": ", e.msg));
  }
  std::vector<nlohmann::json> out;
  for (size_t d = 0; d < docs.size(); ++d) {
    const std::string where = absl::StrCat("document ", d + 1);
    absl::StatusOr<nlohmann::json> j = YamlToJson(docs[d]);
    if (!j.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", j.status().message()));
    if (j->is_null()) continue;
    if (!j->is_object()) return absl::InvalidArgumentError(absl::StrCat(where, ": must be an object"));
    const nlohmann::json kind = j->value("kind", nlohmann::json());
    if (!kind.is_string() || !absl::EndsWith(kind.get<std::string>(), "List")) {
      out.push_back(*std::move(j));
      continue;
    }
    const nlohmann::json items = j->value("items", nlohmann::json::array());
    if (!items.is_array()) return absl::InvalidArgumentError(absl::StrCat(where, ": \"items\" must be a list"));
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_object()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": items[", i, "] must be an object"));
      }
      out.push_back(items[i]);
    }
  }
  return out;
}

}  // namespace romana::cli
