// manifest_checks.h: pure helpers for tests/deploy/manifests_*_test.cc. They read `--help` output of
// our CLI11 binaries and Kubernetes manifest text; no I/O. Not thread-safe-relevant (pure functions).
#ifndef ROMANA_TESTS_DEPLOY_MANIFEST_CHECKS_H_
#define ROMANA_TESTS_DEPLOY_MANIFEST_CHECKS_H_

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
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

// A node as text with every mapping's keys sorted, so that two renderings of the same objects
// (kustomize versions order keys and documents differently) compare equal.
std::string CanonicalYaml(const YAML::Node& node);

// Whether the dotted IPv4 address `ip` lies in `cidr` ("10.96.0.0/12"); false when either is malformed.
bool Ipv4InCidr(const std::string& ip, const std::string& cidr);

// The subcommand names and their aliases in CLI11 help text (the lines under "Subcommands:").
std::vector<std::string> Cli11Subcommands(const std::string& help);

// Whether CLI11 help text lists positional arguments ("Positionals:" or "[file]"-style usage).
bool Cli11TakesPositionals(const std::string& help);

// Splits a shell command line into words: blanks separate, single and double quotes group (and
// are removed), a backslash escapes the next character. No expansion.
std::vector<std::string> ShellWords(const std::string& line);

// A command shown in a Markdown code block that runs one of `binaries`.
struct ShownCommand {
  int line = 0;                     // 1-based line of its first line in the Markdown file
  std::vector<std::string> words;   // from the binary's name on (prompt, sudo, env assignments dropped)
};
// Every command in fenced shell code blocks (``` or ~~~ with no language or sh/bash/shell/console;
// blocks that draw boxes are diagrams), and every inline `code span` with arguments, whose first word -- after an optional "$ " or
// "# " prompt, "sudo" and VAR=value assignments, and also after a pipe "|" or "&&" -- is one of
// `binaries` (a path ending in /name counts). Lines ending in '\' continue; "#" comments are cut.
std::vector<ShownCommand> CommandsInMarkdown(const std::string& markdown, const std::set<std::string>& binaries);

// The words of a Dockerfile `ARG NAME="..."` (backslash-continued lines joined); empty if absent.
std::vector<std::string> DockerfileArgWords(const std::string& dockerfile, const std::string& name);

// The package names listed in scripts/setup's `packages=( ... )` under the given "# section"
// comments (e.g. "toolchain", "libraries"), in order.
std::vector<std::string> SetupPackages(const std::string& setup_script, const std::set<std::string>& sections);

}  // namespace romana::deploy

#endif  // ROMANA_TESTS_DEPLOY_MANIFEST_CHECKS_H_
