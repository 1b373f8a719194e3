// store_conformance.h: the one parameterised GoogleTest suite every Store backend passes.
//
// A backend joins by linking romana::store_conformance (an object library: its TEST_Ps
// register themselves) and instantiating the suite with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Memory, StoreConformanceTest,
//       ::testing::Values(romana::store::testing::ConformanceBackend{
//           "Memory", [] { return std::make_unique<MyHarness>(); }}),
//       romana::store::testing::BackendName);
//
// Each test gets a fresh StoreHarness from the factory. The harness hands out a Store, a key
// prefix the test must keep to (backends that share one server between tests, like etcd, give
// each test its own prefix and empty it first), and a way to let lease time pass. Tests assert
// only relative revisions, so a shared server with other history passes too.
//
// Test-only. Not thread-safe beyond what each test does itself.
#ifndef ROMANA_STORE_TESTING_STORE_CONFORMANCE_H_
#define ROMANA_STORE_TESTING_STORE_CONFORMANCE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "store/store.h"

namespace romana::store::testing {

class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // The store under test; lives as long as the harness.
  virtual Store& store() = 0;
  // Every key a test writes starts with this (non-empty, ends with '/'). Empty at test start.
  virtual std::string prefix() = 0;
  // Lets `d` of lease time pass: FakeClock::Advance for backends on an injected clock; a real
  // sleep for backends on real time (etcd). Tests still wait for the effect with a timeout.
  virtual void PassLeaseTime(std::chrono::milliseconds d) = 0;
  // The shortest TTL the backend honours exactly (etcd rounds small TTLs up to its minimum).
  virtual std::chrono::seconds MinLeaseTtl() { return std::chrono::seconds(1); }
};

struct ConformanceBackend {
  std::string name;  // used in test names: letters and digits only
  std::function<std::unique_ptr<StoreHarness>()> make;
};

// For INSTANTIATE_TEST_SUITE_P's name generator.
std::string BackendName(const ::testing::TestParamInfo<ConformanceBackend>& info);

class StoreConformanceTest : public ::testing::TestWithParam<ConformanceBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return harness_->store(); }
  // `name` under the test's prefix.
  std::string K(const std::string& name) { return prefix_ + name; }

  std::unique_ptr<StoreHarness> harness_;
  std::string prefix_;
};

}  // namespace romana::store::testing

#endif  // ROMANA_STORE_TESTING_STORE_CONFORMANCE_H_
