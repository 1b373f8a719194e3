#include "manifest_checks.h"

#include <cctype>
#include <regex>
#include <sstream>

namespace romana::deploy {
namespace {

std::string LStrip(const std::string& s) {
  size_t i = s.find_first_not_of(" \t");
  return i == std::string::npos ? "" : s.substr(i);
}

bool IsOption(const std::string& a) {
  return a.size() >= 2 && a[0] == '-' && (a[1] == '-' || std::isalpha(static_cast<unsigned char>(a[1])));
}

}  // namespace

std::map<std::string, HelpOption> ParseCli11Help(const std::string& help) {
  std::map<std::string, HelpOption> out;
  std::istringstream in(help);
  std::string line;
  while (std::getline(in, line)) {
    std::string s = LStrip(line);
    if (s.empty() || s[0] != '-') continue;
    // The name column ends at the first run of two blanks (or the end of the line when the
    // description wraps to the next line).
    size_t end = s.find("  ");
    std::string column = s.substr(0, end);
    size_t space = column.find(' ');
    std::string names = column.substr(0, space);
    std::string type = space == std::string::npos ? "" : LStrip(column.substr(space + 1));
    HelpOption opt;
    opt.takes_value = !type.empty();
    opt.type = type;
    if (size_t eq = type.find('='); eq != std::string::npos) opt.default_value = type.substr(eq + 1);
    std::stringstream ns(names);
    std::string name;
    while (std::getline(ns, name, ',')) {
      if (IsOption(name)) out[name] = opt;
    }
  }
  return out;
}

std::vector<std::string> SplitYamlDocuments(const std::string& text) {
  std::vector<std::string> docs(1);
  std::istringstream in(text);
  std::string line;
  static const std::regex kSeparator(R"(^---\s*$)");
  while (std::getline(in, line)) {
    if (std::regex_match(line, kSeparator)) {
      docs.emplace_back();
      continue;
    }
    docs.back() += line + "\n";
  }
  return docs;
}

std::vector<std::string> CommentedArgs(const std::string& document_text) {
  std::vector<std::string> out;
  static const std::regex kArg(R"(^\s*#\s*-\s+(-\S+)\s*$)");
  std::istringstream in(document_text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, kArg)) out.push_back(m[1]);
  }
  return out;
}

std::vector<std::string> CheckArgs(const std::vector<std::string>& args,
                                   const std::map<std::string, HelpOption>& options) {
  std::vector<std::string> problems;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!IsOption(a)) {
      problems.push_back("'" + a + "': a positional argument (our binaries take none)");
      continue;
    }
    size_t eq = a.find('=');
    std::string name = a.substr(0, eq);
    auto it = options.find(name);
    if (it == options.end()) {
      problems.push_back("'" + a + "': the binary has no option " + name);
      continue;
    }
    if (it->second.takes_value) {
      if (eq != std::string::npos) continue;
      if (i + 1 < args.size() && !IsOption(args[i + 1])) {
        ++i;
        continue;
      }
      problems.push_back("'" + a + "': " + name + " needs a value");
    } else if (eq != std::string::npos) {
      std::string v = a.substr(eq + 1);
      if (v != "true" && v != "false") problems.push_back("'" + a + "': " + name + " is a flag and takes no value");
    }
  }
  return problems;
}

std::optional<std::string> ArgValue(const std::vector<std::string>& args, const std::string& name) {
  std::optional<std::string> v;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].rfind(name + "=", 0) == 0) {
      v = args[i].substr(name.size() + 1);
    } else if (args[i] == name && i + 1 < args.size()) {
      v = args[i + 1];
    }
  }
  return v;
}

}  // namespace romana::deploy
