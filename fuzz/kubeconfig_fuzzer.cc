// Kubeconfig files (romana-aws, romana-agent outside a cluster): LoadKubeconfig reads a path, so
// each input is written to one file in /dev/shm (memory) first; removed at exit.
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "fuzz_input.h"
#include "k8s/kube_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string* path = new std::string("/dev/shm/romana-kubeconfig-fuzz-" + std::to_string(getpid()));
  static const bool cleanup = [] { return std::atexit([] { unlink(path->c_str()); }) == 0; }();
  (void)cleanup;
  {
    std::ofstream out(*path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  (void)romana::k8s::LoadKubeconfig(*path, "");
  return 0;
}
