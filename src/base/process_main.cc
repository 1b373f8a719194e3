#include "base/process_main.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

extern char** environ;

namespace romana::base {

absl::Status CheckLogging(const std::string& level, const std::string& format) {
  if (spdlog::level::from_str(level) == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-level: unknown level '", level, "' (trace|debug|info|warn|error)"));
  }
  if (format != "json" && format != "text") {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-format: unknown format '", format, "' (text|json)"));
  }
  return absl::OkStatus();
}

absl::Status InitLogging(const std::string& component, const std::string& level,
                         const std::string& format) {
  if (absl::Status s = CheckLogging(level, format); !s.ok()) return s;
  auto logger = spdlog::stderr_color_mt(component);
  if (format == "json") {
    logger->set_pattern(
        absl::StrCat(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","component":")", component,
                     R"(","msg":"%v"})"),
        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
  return absl::OkStatus();
}

namespace {
sigset_t TerminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill a server
}

int WaitForTerminationSignal() {
  sigset_t set = TerminationSet();
  int sig = 0;
  while (true) {
    if (sigwait(&set, &sig) == 0 && sig != SIGHUP) return sig;
  }
}

void RaiseTerminationSignal() { kill(getpid(), SIGTERM); }

absl::Status RunUntilTerminationSignal(const std::function<absl::Status()>& run, const std::function<void()>& stop) {
  absl::Status result;
  std::thread runner([&] {
    result = run();
    if (!result.ok()) RaiseTerminationSignal();  // wake the wait below
  });
  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: stopping", sig);
  stop();
  runner.join();
  return result;
}

void StopOnTerminationSignal(std::atomic<bool>& stop) {
  std::thread([&stop] {
    WaitForTerminationSignal();
    stop = true;
  }).detach();
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view kv(*e);
    const size_t eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

void RaiseOpenFileLimit() {
  if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }
}

std::string HostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

std::string SiblingBinaryPath(const std::string& name) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? name : (self.parent_path() / name).string();
}

}  // namespace romana::base
