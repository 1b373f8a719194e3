#include "aws/testing/moto_server.h"

#include <unistd.h>

#include <pugixml.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "aws/sigv4.h"
#include "base/testing/test_env.h"

namespace romana::aws::testing {
namespace {

std::string FirstText(const std::string& xml, const char* xpath) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return "";
  pugi::xpath_node n = doc.select_node(xpath);
  return n ? n.node().text().as_string() : "";
}

// True when `binary` (a path, or a name looked up in PATH) is an executable file.
bool OnPath(const std::string& binary) {
  if (binary.find('/') != std::string::npos) return access(binary.c_str(), X_OK) == 0;
  const char* path = getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "", ':', absl::SkipEmpty())) {
    if (access(absl::StrCat(dir, "/", binary).c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MotoServer>> MotoServer::Start(MotoServerOptions options) {
  if (!OnPath(options.binary)) {
    return absl::NotFoundError(absl::StrCat(options.binary, " is not on PATH: install moto's server with "
                                            "`pip install 'moto[server]'` (Debian 12 has no package; see scripts/setup)"));
  }
  const int port = romana::testing::FreeLoopbackPort();
  std::string log = options.log_path;
  if (log.empty()) log = absl::StrCat("/tmp/romana-moto-", getpid(), "-", port, ".log");
  absl::StatusOr<std::unique_ptr<base::Subprocess>> proc = base::Subprocess::Start(
      {.argv = {options.binary, "-H", "127.0.0.1", "-p", std::to_string(port)}, .output_path = log});
  if (!proc.ok()) return proc.status();
  std::unique_ptr<MotoServer> server(new MotoServer(*std::move(proc), port));
  http::CurlClient probe;
  const bool up = romana::testing::WaitUntil(
      [&] {
        if (!server->process_->Running()) return true;
        absl::StatusOr<http::Response> r = probe.Send(
            {.method = "GET", .url = server->endpoint() + "/moto-api/data.json",
             .timeout = std::chrono::milliseconds(1000)});
        return r.ok() && r->status == 200;
      },
      options.start_timeout);
  if (!server->process_->Running()) {
    return absl::UnavailableError(absl::StrCat("moto_server exited at start; see ", log));
  }
  if (!up) return absl::DeadlineExceededError(absl::StrCat("moto_server did not answer; see ", log));
  return server;
}

MotoServer::~MotoServer() {
  if (process_) process_->Stop(std::chrono::seconds(3));
}

std::string MotoServer::endpoint() const { return absl::StrCat("http://127.0.0.1:", port_); }

absl::Status MotoServer::PostAdmin(const std::string& path, const std::string& body) {
  absl::StatusOr<http::Response> r = http_.Send({.method = "POST",
                                               .url = endpoint() + path,
                                               .headers = {{"Content-Type", "text/plain"}},
                                               .body = body});
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::InternalError(absl::StrCat("moto ", path, ": HTTP ", r->status, ": ", r->body));
  }
  return absl::OkStatus();
}

absl::Status MotoServer::Reset() { return PostAdmin("/moto-api/reset", ""); }
absl::Status MotoServer::EnableAuth(int n) { return PostAdmin("/moto-api/reset-auth", std::to_string(n)); }
absl::Status MotoServer::DisableAuth() { return PostAdmin("/moto-api/reset-auth", "inf"); }

absl::StatusOr<std::unique_ptr<Ec2QueryClient>> MotoServer::Client(const std::string& region,
                                                                   CredentialsProvider& credentials) {
  return Ec2QueryClient::Create(
      {.region = region, .endpoint = endpoint(), .retry = {.max_attempts = 2}}, http_, credentials,
      clock_);
}

absl::StatusOr<TestVpc> MakeTestVpc(Ec2QueryClient& ec2, int zones, int instances_per_zone) {
  TestVpc vpc;
  vpc.cidr = "10.0.0.0/16";
  absl::StatusOr<std::string> r = ec2.Call("CreateVpc", {{"CidrBlock", vpc.cidr}});
  if (!r.ok()) return r.status();
  vpc.vpc_id = FirstText(*r, "//vpc/vpcId");
  if (vpc.vpc_id.empty()) return absl::InternalError("CreateVpc: no vpcId in " + *r);
  absl::StatusOr<std::vector<RouteTable>> rts = ec2.DescribeRouteTables({{"vpc-id", {vpc.vpc_id}}});
  if (!rts.ok()) return rts.status();
  for (const RouteTable& rt : *rts) {
    if (rt.IsMain()) vpc.main_route_table_id = rt.id;
  }
  for (int z = 0; z < zones; ++z) {
    const std::string zone = ec2.region() + static_cast<char>('a' + z);
    vpc.zones.push_back(zone);
    r = ec2.Call("CreateSubnet", {{"VpcId", vpc.vpc_id},
                                  {"CidrBlock", absl::StrCat("10.0.", z + 1, ".0/24")},
                                  {"AvailabilityZone", zone}});
    if (!r.ok()) return r.status();
    const std::string subnet = FirstText(*r, "//subnet/subnetId");
    vpc.subnet_ids.push_back(subnet);
    r = ec2.Call("CreateRouteTable", {{"VpcId", vpc.vpc_id}});
    if (!r.ok()) return r.status();
    const std::string rt = FirstText(*r, "//routeTable/routeTableId");
    vpc.route_table_ids.push_back(rt);
    r = ec2.Call("AssociateRouteTable", {{"RouteTableId", rt}, {"SubnetId", subnet}});
    if (!r.ok()) return r.status();
    r = ec2.Call("RunInstances", {{"ImageId", "ami-12c6146b"},
                                  {"InstanceType", "t2.micro"},
                                  {"MinCount", std::to_string(instances_per_zone)},
                                  {"MaxCount", std::to_string(instances_per_zone)},
                                  {"SubnetId", subnet}});
    if (!r.ok()) return r.status();
  }
  absl::StatusOr<std::vector<Instance>> instances =
      ec2.DescribeInstances({}, {{"vpc-id", {vpc.vpc_id}}});
  if (!instances.ok()) return instances.status();
  for (const std::string& subnet : vpc.subnet_ids) {
    for (const Instance& i : *instances) {
      if (i.subnet_id != subnet) continue;
      const NetworkInterface* eni = i.PrimaryInterface();
      vpc.instances.push_back({i.id, i.private_ip, eni != nullptr ? eni->id : "", i.availability_zone,
                               i.subnet_id});
    }
  }
  if (static_cast<int>(vpc.instances.size()) != zones * instances_per_zone) {
    return absl::InternalError(absl::StrCat("expected ", zones * instances_per_zone, " instances, got ",
                                            vpc.instances.size()));
  }
  return vpc;
}

absl::StatusOr<Credentials> CreateIamUserWithPolicy(const std::string& endpoint, const std::string& user,
                                                    const std::string& policy_json) {
  http::CurlClient http;
  base::SystemClock clock;
  StaticCredentialsProvider admin(Credentials{"AKIDADMIN", "admin-secret"});
  auto call = [&](const QueryParams& params) -> absl::StatusOr<std::string> {
    QueryParams all = {{"Version", "2010-05-08"}};
    all.insert(all.end(), params.begin(), params.end());
    const std::string body = FormEncode(all);
    const std::string host = endpoint.substr(endpoint.find("://") + 3);
    http::Request req{.method = "POST", .url = endpoint,
                      .headers = {{"Host", host}, {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
                      .body = body};
    absl::StatusOr<SigningResult> s = SignRequest({.method = "POST", .path = "/", .headers = req.headers, .body = body},
                                                  *admin.GetCredentials(),
                                                  {.region = "us-east-1", .service = "iam", .time = clock.WallNow()});
    if (!s.ok()) return s.status();
    for (auto& h : s->headers_to_add) req.headers.push_back(h);
    absl::StatusOr<http::Response> resp = http.Send(req);
    if (!resp.ok()) return resp.status();
    if (resp->status != 200) return absl::InternalError(absl::StrCat("IAM: HTTP ", resp->status, ": ", resp->body));
    return resp->body;
  };
  absl::StatusOr<std::string> r = call({{"Action", "CreateUser"}, {"UserName", user}});
  if (!r.ok()) return r.status();
  r = call({{"Action", "PutUserPolicy"}, {"UserName", user}, {"PolicyName", "romana"},
            {"PolicyDocument", policy_json}});
  if (!r.ok()) return r.status();
  r = call({{"Action", "CreateAccessKey"}, {"UserName", user}});
  if (!r.ok()) return r.status();
  Credentials c;
  c.access_key_id = FirstText(*r, "//AccessKey/AccessKeyId");
  c.secret_access_key = FirstText(*r, "//AccessKey/SecretAccessKey");
  if (c.access_key_id.empty()) return absl::InternalError("CreateAccessKey: no key in " + *r);
  return c;
}

}  // namespace romana::aws::testing
