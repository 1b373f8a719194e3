// `podman run` with a romana network (podman 4's CNI backend driving the real plugin): the
// container gets its address from romanad and reaches a pod the plugin made directly. Podman
// runs under `nsenter --net=<fake host netns>` with its own containers.conf (CONTAINERS_CONF),
// storage, run and CNI config directories in a temp dir (platform notes §4).
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "cni/names.h"
#include "cni_fixture.h"

namespace romana::cni::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class CniPodmanTest : public CniFixture {
 protected:
  void SetUp() override {
    CniFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* tool : {"/usr/bin/podman", "/usr/sbin/runc", "/usr/bin/nsenter"}) {
      if (!fs::exists(tool)) ROMANA_SKIP_UNLESS_CI() << tool << " is not installed";
    }
    busybox_ = fs::exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
    if (!fs::exists(busybox_)) ROMANA_SKIP_UNLESS_CI() << "busybox is not installed";
    fs::create_directories(dir_.path() / "bin");
    fs::create_directories(dir_.path() / "net.d");
    fs::create_symlink(PluginBinary(), dir_.path() / "bin/romana");
    std::ofstream(dir_.File("containers.conf"))
        << "[network]\nnetwork_backend=\"cni\"\ncni_plugin_dirs=[\"" << (dir_.path() / "bin").string()
        << "\", \"/usr/lib/cni\"]\nnetwork_config_dir=\"" << (dir_.path() / "net.d").string() << "\"\n"
        << "[engine]\nruntime=\"runc\"\ncgroup_manager=\"cgroupfs\"\nevents_logger=\"file\"\n"
        << "[containers]\ndefault_ulimits=[\"nofile=1024:1024\",\"nproc=1024:1024\"]\n";
    json conflist = {{"cniVersion", "1.0.0"}, {"name", "romana-podman"},
                     {"plugins", {Conf("1.0.0"), {{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}}}}};
    conflist["plugins"][0].erase("cniVersion");
    conflist["plugins"][0].erase("name");
    std::ofstream(dir_.File("net.d/10-romana-podman.conflist")) << conflist.dump(2);
  }

  // Runs podman (in the fake host netns) with our private configuration and storage.
  absl::StatusOr<base::CommandResult> Podman(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {"env", "CONTAINERS_CONF=" + dir_.File("containers.conf"),
                                     "nsenter", "--net=" + host_->path(), "podman",
                                     "--root", dir_.File("root"), "--runroot", dir_.File("runroot"),
                                     "--tmpdir", dir_.File("tmp"), "--storage-driver", "vfs"};
    argv.insert(argv.end(), args.begin(), args.end());
    return base::RunCommand(argv, stdin_data);
  }

  std::string busybox_;
  romana::testing::TempDir dir_;
};

TEST_F(CniPodmanTest, PodmanRunGetsARomanaAddressAndReachesAPod) {
  // A pod made by the plugin directly.
  auto& pod = NewPod();
  const std::string pod_cid = absl::StrCat("podmanpeer", getpid());
  auto added = Run("ADD", Conf("1.0.0"), pod_cid, pod.path());
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->exit_code, 0) << Describe(*added);
  std::string pod_addr = added->output["ips"][0]["address"];
  const std::string pod_ip = pod_addr.substr(0, pod_addr.find('/'));

  // A busybox image from the host's static busybox.
  fs::create_directories(dir_.path() / "rootfs/bin");
  fs::copy_file(busybox_, dir_.path() / "rootfs/bin/busybox");
  auto install = base::RunCommand({"chroot", dir_.File("rootfs"), "/bin/busybox", "--install", "-s", "/bin"});
  ASSERT_TRUE(install.ok() && install->exit_code == 0) << (install.ok() ? install->output : "");
  auto tar = base::RunCommand({"tar", "-C", dir_.File("rootfs"), "-cf", dir_.File("rootfs.tar"), "."});
  ASSERT_TRUE(tar.ok() && tar->exit_code == 0);
  auto imported = Podman({"import", dir_.File("rootfs.tar"), "localhost/romana-test/busybox"});
  ASSERT_TRUE(imported.ok());
  ASSERT_EQ(imported->exit_code, 0) << imported->output;

  const size_t before = romanad().ListAddresses(kNode)->items.size();
  auto run = Podman({"run", "--rm", "--network", "romana-podman", "localhost/romana-test/busybox", "sh", "-c",
                     absl::StrCat("ip -4 -o addr show dev eth0; ping -c1 -W3 ", pod_ip, " && echo PING-OK")});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 0) << run->output;
  EXPECT_NE(run->output.find(std::string("inet ") + kPodCidrPrefix), std::string::npos) << run->output;
  EXPECT_NE(run->output.find("PING-OK"), std::string::npos) << run->output;
  // --rm ran the CNI DEL: the container's address is released again.
  auto after = romanad().ListAddresses(kNode);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->items.size(), before);

  (void)Podman({"rmi", "-af"});
  EXPECT_EQ(Run("DEL", Conf("1.0.0"), pod_cid, pod.path())->exit_code, 0);
}

}  // namespace
}  // namespace romana::cni::testing
