#include "manifest_checks.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
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

std::string CanonicalYaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      std::map<std::string, std::string> sorted;
      for (const auto& kv : node) sorted[kv.first.as<std::string>()] = CanonicalYaml(kv.second);
      std::string out = "{";
      for (const auto& [k, v] : sorted) out += k + ": " + v + ", ";
      return out + "}";
    }
    case YAML::NodeType::Sequence: {
      std::string out = "[";
      for (const YAML::Node& n : node) out += CanonicalYaml(n) + ", ";
      return out + "]";
    }
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "~";
  }
}

namespace {
std::optional<uint32_t> ParseIpv4(const std::string& s) {
  static const std::regex kIp(R"((\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}))");
  std::smatch m;
  if (!std::regex_match(s, m, kIp)) return std::nullopt;
  uint32_t v = 0;
  for (int i = 1; i <= 4; ++i) {
    int octet = std::stoi(m[i]);
    if (octet > 255) return std::nullopt;
    v = (v << 8) | static_cast<uint32_t>(octet);
  }
  return v;
}
}  // namespace

bool Ipv4InCidr(const std::string& ip, const std::string& cidr) {
  size_t slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  std::optional<uint32_t> a = ParseIpv4(ip), net = ParseIpv4(cidr.substr(0, slash));
  std::string len_text = cidr.substr(slash + 1);
  if (!a || !net || len_text.empty() || len_text.size() > 2 ||
      !std::all_of(len_text.begin(), len_text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return false;
  }
  int len = std::stoi(len_text);
  if (len > 32) return false;
  uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  return (*a & mask) == (*net & mask);
}

std::vector<std::string> Cli11Subcommands(const std::string& help) {
  std::vector<std::string> out;
  std::istringstream in(help);
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line == "Subcommands:") {
      in_section = true;
      continue;
    }
    if (!in_section) continue;
    if (line.empty() || line[0] != ' ') {
      in_section = false;
      continue;
    }
    // "  apply, add       Description": the name and its aliases end at the first two blanks.
    std::string s = LStrip(line);
    std::stringstream names(s.substr(0, s.find("  ")));
    for (std::string name; std::getline(names, name, ',');) {
      name = LStrip(name);
      name = name.substr(0, name.find(' '));
      if (!name.empty() && name[0] != '-') out.push_back(name);
    }
  }
  return out;
}

bool Cli11TakesPositionals(const std::string& help) {
  return help.find("\nPositionals:") != std::string::npos;
}

std::vector<std::string> ShellWords(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        cur += line[++i];
      } else {
        cur += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
      have = true;
    } else if (c == ' ' || c == '\t') {
      if (have) out.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) out.push_back(cur);
  return out;
}

std::vector<ShownCommand> CommandsInMarkdown(const std::string& markdown, const std::set<std::string>& binaries) {
  std::vector<ShownCommand> out;
  std::istringstream in(markdown);
  std::string line;
  int n = 0;
  bool in_block = false;
  std::string fence;
  std::string pending;  // a command continued with '\'
  int pending_line = 0;
  static const std::regex kAssignment(R"(^[A-Za-z_][A-Za-z0-9_]*=.*)");
  auto finish = [&](const std::string& text, int at) {
    // Cut a trailing comment (a '#' after a blank, outside quotes is good enough for our docs).
    std::string cmd = text;
    if (size_t hash = cmd.find(" #"); hash != std::string::npos) cmd.resize(hash);
    std::vector<std::string> words = ShellWords(cmd);
    // Start of each pipeline element: the first word, and the words after | && || ; $( .
    for (size_t i = 0; i < words.size(); ++i) {
      bool start = i == 0 || words[i - 1] == "|" || words[i - 1] == "&&" || words[i - 1] == "||" ||
                   words[i - 1] == ";" || words[i - 1] == "$";
      if (!start) continue;
      size_t j = i;
      while (j < words.size() && (words[j] == "$" || words[j] == "sudo" || std::regex_match(words[j], kAssignment))) ++j;
      if (j >= words.size()) continue;
      std::string w = words[j];
      if (w.rfind("$(", 0) == 0) w = w.substr(2);
      std::string base = w.substr(w.rfind('/') == std::string::npos ? 0 : w.rfind('/') + 1);
      if (!binaries.count(base)) continue;
      ShownCommand c{at, {base}};
      for (size_t k = j + 1; k < words.size(); ++k) {
        const std::string& x = words[k];
        if (x == "|" || x == "&&" || x == "||" || x == ";" || x == ">" || x == "2>&1" || x == "<") break;
        if (!x.empty() && (x[0] == '>' || x[0] == '<' || x.rfind("2>", 0) == 0)) break;
        c.words.push_back(x);
        if (!x.empty() && x.back() == ')' && x.find('(') == std::string::npos) {
          c.words.back().pop_back();
          break;
        }
      }
      out.push_back(c);
    }
  };
  // Blocks are judged whole: a diagram (box-drawing characters) or a block in another language
  // (```json, ```cpp, ...) shows no commands.
  std::vector<std::pair<int, std::string>> block;
  auto shell_block = [&] {
    for (const auto& [at, l] : block) {
      for (const char* box : {"\u2500", "\u2502", "\u250c", "\u2510", "\u2514", "\u2518", "\u252c", "\u2534"}) {
        if (l.find(box) != std::string::npos) return;
      }
    }
    for (const auto& [at, l] : block) {
      if (pending.empty()) pending_line = at;
      if (!l.empty() && l.back() == '\\') {
        pending += l.substr(0, l.size() - 1) + " ";
        continue;
      }
      pending += l;
      std::string text = pending;
      pending.clear();
      if (text.rfind("$ ", 0) == 0) text = text.substr(2);
      if (text.rfind("# ", 0) == 0) text = text.substr(2);  // a root prompt
      finish(text, pending_line);
    }
    pending.clear();
  };
  static const std::set<std::string> kShellInfo = {"", "sh", "bash", "shell", "console"};
  bool shell = false;
  while (std::getline(in, line)) {
    ++n;
    std::string s = LStrip(line);
    if (!in_block) {
      // Inline code that starts with one of the binaries and has arguments: `romanactl host list`.
      static const std::regex kSpan("`([^`]+)`");
      if (s.rfind("```", 0) != 0) {
        for (std::sregex_iterator it(s.begin(), s.end(), kSpan), end; it != end; ++it) {
          std::string span = (*it)[1];
          if (span.find(' ') != std::string::npos) finish(span, n);
        }
      }
      if (s.rfind("```", 0) == 0 || s.rfind("~~~", 0) == 0) {
        in_block = true;
        fence = s.substr(0, 3);
        std::string info = s.substr(3);
        info.erase(info.find_last_not_of(" \t") + 1);
        shell = kShellInfo.count(info) > 0;
        block.clear();
      }
      continue;
    }
    if (s.rfind(fence, 0) == 0) {
      in_block = false;
      if (shell) shell_block();
      continue;
    }
    block.emplace_back(n, s);
  }
  return out;
}

std::vector<std::string> DockerfileArgWords(const std::string& dockerfile, const std::string& name) {
  std::istringstream in(dockerfile);
  std::string line, joined;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside) {
      if (line.rfind("ARG " + name + "=", 0) != 0) continue;
      inside = true;
      line = line.substr(4 + name.size() + 1);
    }
    bool more = !line.empty() && line.back() == '\\';
    joined += (more ? line.substr(0, line.size() - 1) : line) + " ";
    if (!more) break;
  }
  std::vector<std::string> out;
  for (const std::string& w : ShellWords(joined)) {
    std::istringstream ws(w);
    std::string x;
    while (ws >> x) out.push_back(x);
  }
  return out;
}

std::vector<std::string> SetupPackages(const std::string& setup_script, const std::set<std::string>& sections) {
  std::vector<std::string> out;
  std::istringstream in(setup_script);
  std::string line;
  bool in_array = false, take = false;
  while (std::getline(in, line)) {
    std::string s = LStrip(line);
    if (!in_array) {
      in_array = s.rfind("packages=(", 0) == 0;
      continue;
    }
    if (s.rfind(")", 0) == 0) break;
    if (s.rfind("#", 0) == 0) {
      take = sections.count(LStrip(s.substr(1))) > 0;
      continue;
    }
    if (!take) continue;
    std::istringstream ws(s);
    std::string w;
    while (ws >> w) out.push_back(w);
  }
  return out;
}

}  // namespace romana::deploy
