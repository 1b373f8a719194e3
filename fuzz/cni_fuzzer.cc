// The CNI plugin's inputs: the network configuration on stdin and the CNI_* environment.
// Input: config '\0' CNI_COMMAND '\0' CNI_CONTAINERID '\0' CNI_NETNS '\0' CNI_IFNAME '\0'
// CNI_ARGS '\0' CNI_PATH.
#include "cni/config.h"
#include "cni/env.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string> f = romana::fuzz::Fields(romana::fuzz::AsString(data, size));
  romana::cni::NetConf conf;
  (void)romana::cni::ParseNetConf(f[0], &conf);
  (void)romana::cni::PeekCniVersion(f[0]);
  (void)romana::cni::UnknownKeys(f[0]);
  static const char* kNames[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"};
  std::map<std::string, std::string> env;
  for (size_t i = 1; i < f.size() && i <= 6; ++i) env[kNames[i - 1]] = f[i];
  romana::cni::CniEnv cni_env;
  (void)romana::cni::ParseEnv(env, &cni_env);
  romana::cni::PodArgs pod;
  (void)romana::cni::ParseCniArgs(env["CNI_ARGS"], &pod);
  return 0;
}
