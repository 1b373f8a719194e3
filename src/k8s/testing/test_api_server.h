// test_api_server.h: the name tests have used for the lab's Kubernetes API stand-in, which now
// lives in kube_apiserver/kube_api_server.h (new code includes that header directly).
#ifndef ROMANA_K8S_TESTING_TEST_API_SERVER_H_
#define ROMANA_K8S_TESTING_TEST_API_SERVER_H_

#include "kube_apiserver/kube_api_server.h"

namespace romana::k8s::testing {

using TestApiServer = kube_apiserver::KubeApiServer;
using TestApiServerOptions = kube_apiserver::KubeApiServerOptions;

}  // namespace romana::k8s::testing

#endif  // ROMANA_K8S_TESTING_TEST_API_SERVER_H_
