// romana-cni: the Romana CNI plugin (installed as /opt/cni/bin/romana). The container runtime
// runs it once per verb with CNI_* in the environment and the network configuration on stdin;
// the result or error goes to stdout as JSON, logs go to stderr and to "log_file".
// Exit codes: 0 success, 1 error (the CNI error document on stdout says which).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>
#include <string>

#include "base/process_main.h"
#include "cni/plugin.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

extern char** environ;

namespace {

// Logging comes from the config; it is read leniently here (ParseNetConf validates it later).
void SetUpLogging(const std::string& stdin_json) {
  std::string file, level = "info";
  nlohmann::json j = nlohmann::json::parse(stdin_json, nullptr, false);
  if (j.is_object()) {
    if (j.contains("log_file") && j["log_file"].is_string()) file = j["log_file"].get<std::string>();
    if (j.contains("log_level") && j["log_level"].is_string()) level = j["log_level"].get<std::string>();
  }
  auto lvl = spdlog::level::from_str(level);
  std::vector<spdlog::sink_ptr> sinks;
  auto err = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sinks.push_back(err);
  if (!file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file));
      err->set_level(spdlog::level::warn);  // the file has everything; stderr only trouble
    } catch (const spdlog::spdlog_ex& e) {
      fprintf(stderr, "romana-cni: cannot open log_file %s: %s\n", file.c_str(), e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("romana-cni", sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l [romana-cni %P] %v", spdlog::pattern_time_type::utc);
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    std::string a = argv[1];
    if (a == "--help" || a == "-h" || a == "help") {
      printf("romana-cni: the Romana CNI plugin. The container runtime runs it with CNI_COMMAND=ADD|DEL|CHECK|"
             "GC|STATUS|VERSION\nand the network configuration on stdin (see docs/cni.md). It takes no flags.\n");
      return 0;
    }
    if (a == "--version" || a == "version") {
      printf("%s\n", romana::cni::RenderVersionInfo().dump().c_str());
      return 0;
    }
  }
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos && kv.compare(0, 4, "CNI_") == 0) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::string input;
  if (env.count("CNI_COMMAND") && env["CNI_COMMAND"] != "VERSION") {
    input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (!isatty(STDIN_FILENO)) {
    input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  SetUpLogging(input);
  romana::cni::VerbOutcome outcome = romana::cni::RunPlugin(env, input, romana::base::HostName());
  std::string out;
  int code = romana::cni::RenderOutcome(outcome, &out);
  fwrite(out.data(), 1, out.size(), stdout);
  fflush(stdout);
  spdlog::shutdown();
  return code;
}
