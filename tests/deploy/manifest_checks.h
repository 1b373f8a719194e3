// manifest_checks.h: pure helpers for tests/deploy/manifests_test.cc. They read `--help` output of
// our CLI11 binaries and Kubernetes manifest text; no I/O. Not thread-safe-relevant (pure functions).
#ifndef ROMANA_TESTS_DEPLOY_MANIFEST_CHECKS_H_
#define ROMANA_TESTS_DEPLOY_MANIFEST_CHECKS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace romana::deploy {

// One option as CLI11's help lists it.
struct HelpOption {
  bool takes_value = false;           // the help line shows a type (TEXT, INT, ...)
  std::optional<std::string> default_value;  // "TEXT=:9600" -> ":9600"
  std::string type;                   // that type as printed, e.g. "TEXT:FILE", "INT:INT in [2 - 60]=5"
};

// Parses CLI11 help text: every line whose first non-blank character is '-' lists the option's
// names ("-f,--file,--route_spec TEXT ..."). Returns every name (with its dashes) -> option.
std::map<std::string, HelpOption> ParseCli11Help(const std::string& help);

// Splits a multi-document YAML text at lines that are exactly "---" (optionally followed by
// blanks). Every piece is returned, also ones that hold only comments.
std::vector<std::string> SplitYamlDocuments(const std::string& text);

// The example arguments of a document written as YAML comments in the component document's style,
// "        # - --cloud=aws": returns "--cloud=aws" for each such line.
std::vector<std::string> CommentedArgs(const std::string& document_text);

// Checks `args` (argv without the program) against the options of one binary. Returns one message
// per problem: an option the binary does not know, an option that needs a value but has none,
// a value given to a flag that takes none (other than true/false), a positional argument.
std::vector<std::string> CheckArgs(const std::vector<std::string>& args,
                                   const std::map<std::string, HelpOption>& options);

// The value of `--name=value` or `--name value` in args, if present (the last one wins).
std::optional<std::string> ArgValue(const std::vector<std::string>& args, const std::string& name);

}  // namespace romana::deploy

#endif  // ROMANA_TESTS_DEPLOY_MANIFEST_CHECKS_H_
