// fake_ec2.h: an in-memory Ec2Api holding instances (with their ENIs) and route tables, for
// unit tests of the add-ons' apply layers. Counts writes; can be told to fail the next calls.
// Thread-safe.
#ifndef ROMANA_AWS_TESTING_FAKE_EC2_H_
#define ROMANA_AWS_TESTING_FAKE_EC2_H_

#include <algorithm>
#include <mutex>

#include "aws/ec2_api.h"

namespace romana::aws::testing {

class FakeEc2 final : public Ec2Api {
 public:
  void AddInstance(Instance i) {
    std::lock_guard lock(mu_);
    instances_.push_back(std::move(i));
  }
  Instance GetInstance(const std::string& id) {
    std::lock_guard lock(mu_);
    return *Find(id);
  }
  void SetSourceDestCheck(const std::string& id, bool instance, bool eni) {
    std::lock_guard lock(mu_);
    Instance* i = Find(id);
    i->source_dest_check = instance;
    i->interfaces[0].source_dest_check = eni;
  }
  // The next `n` calls fail with `status`.
  void FailNext(int n, absl::Status status) {
    std::lock_guard lock(mu_);
    fail_count_ = n;
    fail_status_ = std::move(status);
  }
  int writes() const {
    std::lock_guard lock(mu_);
    return writes_;
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  absl::StatusOr<std::vector<Instance>> DescribeInstances(const std::vector<std::string>& ids,
                                                          const std::vector<Ec2Filter>& filters) override {
    std::lock_guard lock(mu_);
    if (absl::Status s = Call(); !s.ok()) return s;
    std::vector<Instance> out;
    for (const Instance& i : instances_) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), i.id) == ids.end()) continue;
      bool ok = true;
      for (const Ec2Filter& f : filters) {
        if (f.name == "private-ip-address") ok = ok && std::find(f.values.begin(), f.values.end(), i.private_ip) != f.values.end();
        if (f.name == "vpc-id") ok = ok && std::find(f.values.begin(), f.values.end(), i.vpc_id) != f.values.end();
      }
      if (ok) out.push_back(i);
    }
    if (!ids.empty() && out.size() != ids.size()) return absl::NotFoundError("InvalidInstanceID.NotFound");
    return out;
  }
  absl::Status ModifyInstanceSourceDestCheck(const std::string& id, bool enabled) override {
    std::lock_guard lock(mu_);
    if (absl::Status s = Call(); !s.ok()) return s;
    Instance* i = Find(id);
    if (i == nullptr) return absl::NotFoundError("InvalidInstanceID.NotFound");
    ++writes_;
    i->source_dest_check = enabled;
    return absl::OkStatus();
  }
  absl::StatusOr<bool> DescribeInstanceSourceDestCheck(const std::string& id) override {
    std::lock_guard lock(mu_);
    if (absl::Status s = Call(); !s.ok()) return s;
    Instance* i = Find(id);
    if (i == nullptr) return absl::NotFoundError("InvalidInstanceID.NotFound");
    return i->source_dest_check;
  }
  absl::Status ModifyNetworkInterfaceSourceDestCheck(const std::string& eni, bool enabled) override {
    std::lock_guard lock(mu_);
    if (absl::Status s = Call(); !s.ok()) return s;
    for (Instance& i : instances_) {
      for (NetworkInterface& n : i.interfaces) {
        if (n.id == eni) {
          ++writes_;
          n.source_dest_check = enabled;
          return absl::OkStatus();
        }
      }
    }
    return absl::NotFoundError("InvalidNetworkInterfaceID.NotFound");
  }
  absl::StatusOr<std::vector<Vpc>> DescribeVpcs(const std::vector<Ec2Filter>&) override { return std::vector<Vpc>{}; }
  absl::StatusOr<std::vector<Subnet>> DescribeSubnets(const std::vector<Ec2Filter>&) override { return std::vector<Subnet>{}; }
  absl::StatusOr<std::vector<RouteTable>> DescribeRouteTables(const std::vector<Ec2Filter>&) override {
    return std::vector<RouteTable>{};
  }
  absl::StatusOr<std::vector<AvailabilityZone>> DescribeAvailabilityZones() override {
    return std::vector<AvailabilityZone>{};
  }
  absl::Status CreateRoute(const std::string&, const std::string&, const RouteTarget&) override {
    return absl::UnimplementedError("FakeEc2: routes");
  }
  absl::Status ReplaceRoute(const std::string&, const std::string&, const RouteTarget&) override {
    return absl::UnimplementedError("FakeEc2: routes");
  }
  absl::Status DeleteRoute(const std::string&, const std::string&) override {
    return absl::UnimplementedError("FakeEc2: routes");
  }

 private:
  absl::Status Call() {
    ++calls_;
    if (fail_count_ > 0) {
      --fail_count_;
      return fail_status_;
    }
    return absl::OkStatus();
  }
  Instance* Find(const std::string& id) {
    for (Instance& i : instances_) {
      if (i.id == id) return &i;
    }
    return nullptr;
  }
  mutable std::mutex mu_;
  std::vector<Instance> instances_;
  int writes_ = 0, calls_ = 0, fail_count_ = 0;
  absl::Status fail_status_;
};

}  // namespace romana::aws::testing

#endif  // ROMANA_AWS_TESTING_FAKE_EC2_H_
