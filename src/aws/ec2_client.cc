#include "aws/ec2_client.h"

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "aws/ec2_xml.h"
#include "aws/sigv4.h"
#include "http/url.h"

namespace romana::aws {
namespace {

bool Retryable(const absl::Status& s, int http_status) {
  if (http_status == 0) return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s);
  if (http_status >= 500 || http_status == 429) return true;
  return IsThrottlingCode(Ec2ErrorCode(s));
}

QueryParams TargetParams(const std::string& rt, const std::string& cidr, const RouteTarget& t) {
  QueryParams p = {{"RouteTableId", rt}, {"DestinationCidrBlock", cidr}};
  if (!t.instance_id.empty()) p.emplace_back("InstanceId", t.instance_id);
  if (!t.network_interface_id.empty()) p.emplace_back("NetworkInterfaceId", t.network_interface_id);
  return p;
}

}  // namespace

void AddFilters(const std::vector<Ec2Filter>& filters, QueryParams& params) {
  for (size_t i = 0; i < filters.size(); ++i) {
    params.emplace_back(absl::StrCat("Filter.", i + 1, ".Name"), filters[i].name);
    for (size_t j = 0; j < filters[i].values.size(); ++j) {
      params.emplace_back(absl::StrCat("Filter.", i + 1, ".Value.", j + 1), filters[i].values[j]);
    }
  }
}

std::string FormEncode(const QueryParams& params) {
  std::vector<std::string> parts;
  parts.reserve(params.size());
  for (const auto& [k, v] : params) parts.push_back(absl::StrCat(http::PercentEncode(k), "=", http::PercentEncode(v)));
  return absl::StrJoin(parts, "&");
}

absl::StatusOr<std::unique_ptr<Ec2QueryClient>> Ec2QueryClient::Create(Ec2ClientOptions options,
                                                                       http::Client& http,
                                                                       CredentialsProvider& credentials,
                                                                       const base::Clock& clock) {
  if (options.region.empty()) return absl::InvalidArgumentError("ec2: region is required");
  if (options.endpoint.empty()) options.endpoint = absl::StrCat("https://ec2.", options.region, ".amazonaws.com");
  const std::string& ep = options.endpoint;
  size_t scheme_end = ep.find("://");
  if (scheme_end == std::string::npos ||
      (ep.substr(0, scheme_end) != "http" && ep.substr(0, scheme_end) != "https")) {
    return absl::InvalidArgumentError(
        absl::StrCat("ec2: endpoint '", ep, "' must start with http:// or https://"));
  }
  std::string rest = ep.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  std::string host = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (host.empty()) return absl::InvalidArgumentError(absl::StrCat("ec2: endpoint '", ep, "' has no host"));
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  if (!options.sleep) options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  return std::unique_ptr<Ec2QueryClient>(
      new Ec2QueryClient(std::move(options), host, path, http, credentials, clock));
}

Ec2QueryClient::Ec2QueryClient(Ec2ClientOptions options, std::string host, std::string path,
                               http::Client& http, CredentialsProvider& credentials,
                               const base::Clock& clock)
    : options_(std::move(options)),
      host_(std::move(host)),
      path_(std::move(path)),
      http_(http),
      credentials_(credentials),
      clock_(clock),
      rng_(std::random_device{}()) {}

double Ec2QueryClient::Random() {
  if (options_.random) return options_.random();
  std::lock_guard lock(rng_mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

absl::StatusOr<std::string> Ec2QueryClient::CallOnce(const std::string& action, const std::string& body,
                                                     int* http_status) {
  *http_status = 0;
  absl::StatusOr<Credentials> creds = credentials_.GetCredentials();
  if (!creds.ok()) return creds.status();
  http::Request req{.method = "POST",
                    .url = options_.endpoint,
                    .headers = {{"Host", host_},
                                {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
                    .body = body,
                    .timeout = options_.timeout};
  SigningRequest to_sign{.method = "POST", .path = path_, .headers = req.headers, .body = body};
  absl::StatusOr<SigningResult> signed_req = SignRequest(
      to_sign, *creds, SigningParams{.region = options_.region, .service = "ec2", .time = clock_.WallNow()});
  if (!signed_req.ok()) return signed_req.status();
  for (auto& h : signed_req->headers_to_add) req.headers.push_back(std::move(h));
  absl::StatusOr<http::Response> resp = http_.Send(req);
  if (!resp.ok()) return absl::Status(resp.status().code(), absl::StrCat("EC2 ", action, ": ", resp.status().message()));
  *http_status = resp->status;
  if (resp->status < 200 || resp->status >= 300) return Ec2ErrorStatus(action, resp->status, resp->body);
  return std::move(resp->body);
}

absl::StatusOr<std::string> Ec2QueryClient::Call(const std::string& action, const QueryParams& params) {
  QueryParams all = {{"Action", action}, {"Version", options_.api_version}};
  all.insert(all.end(), params.begin(), params.end());
  const std::string body = FormEncode(all);
  absl::Status last;
  for (int attempt = 1; attempt <= options_.retry.max_attempts; ++attempt) {
    int http_status = 0;
    absl::StatusOr<std::string> r = CallOnce(action, body, &http_status);
    if (r.ok()) return r;
    last = r.status();
    if (!Retryable(last, http_status) || attempt == options_.retry.max_attempts) break;
    options_.sleep(http::BackoffDelay(options_.retry, attempt, Random()));
  }
  return last;
}

template <typename T, typename ParseFn>
absl::StatusOr<std::vector<T>> Ec2QueryClient::Paginate(const std::string& action, QueryParams params,
                                                        ParseFn parse) {
  std::vector<T> all;
  std::string token;
  for (int page = 0; page < options_.max_pages; ++page) {
    QueryParams p = params;
    if (!token.empty()) p.emplace_back("NextToken", token);
    absl::StatusOr<std::string> body = Call(action, p);
    if (!body.ok()) return body.status();
    absl::StatusOr<Ec2Page<T>> parsed = parse(*body);
    if (!parsed.ok()) return parsed.status();
    for (auto& item : parsed->items) all.push_back(std::move(item));
    if (parsed->next_token.empty()) return all;
    if (parsed->next_token == token) {
      return absl::InternalError(absl::StrCat("EC2 ", action, ": NextToken did not advance"));
    }
    token = parsed->next_token;
  }
  return absl::InternalError(absl::StrCat("EC2 ", action, ": more than ", options_.max_pages, " pages"));
}

absl::StatusOr<std::vector<Instance>> Ec2QueryClient::DescribeInstances(
    const std::vector<std::string>& instance_ids, const std::vector<Ec2Filter>& filters) {
  QueryParams p;
  for (size_t i = 0; i < instance_ids.size(); ++i) p.emplace_back(absl::StrCat("InstanceId.", i + 1), instance_ids[i]);
  AddFilters(filters, p);
  return Paginate<Instance>("DescribeInstances", p, &ParseDescribeInstances);
}

absl::Status Ec2QueryClient::ModifyInstanceSourceDestCheck(const std::string& instance_id, bool enabled) {
  absl::StatusOr<std::string> body = Call(
      "ModifyInstanceAttribute",
      {{"InstanceId", instance_id}, {"SourceDestCheck.Value", enabled ? "true" : "false"}});
  if (!body.ok()) return body.status();
  return ParseSimpleResponse(*body, "ModifyInstanceAttributeResponse");
}

absl::StatusOr<bool> Ec2QueryClient::DescribeInstanceSourceDestCheck(const std::string& instance_id) {
  absl::StatusOr<std::string> body =
      Call("DescribeInstanceAttribute", {{"InstanceId", instance_id}, {"Attribute", "sourceDestCheck"}});
  if (!body.ok()) return body.status();
  return ParseSourceDestCheckAttribute(*body);
}

absl::Status Ec2QueryClient::ModifyNetworkInterfaceSourceDestCheck(const std::string& eni_id, bool enabled) {
  absl::StatusOr<std::string> body =
      Call("ModifyNetworkInterfaceAttribute",
           {{"NetworkInterfaceId", eni_id}, {"SourceDestCheck.Value", enabled ? "true" : "false"}});
  if (!body.ok()) return body.status();
  return ParseSimpleResponse(*body, "ModifyNetworkInterfaceAttributeResponse");
}

absl::StatusOr<std::vector<Vpc>> Ec2QueryClient::DescribeVpcs(const std::vector<Ec2Filter>& filters) {
  QueryParams p;
  AddFilters(filters, p);
  return Paginate<Vpc>("DescribeVpcs", p, &ParseDescribeVpcs);
}

absl::StatusOr<std::vector<Subnet>> Ec2QueryClient::DescribeSubnets(const std::vector<Ec2Filter>& filters) {
  QueryParams p;
  AddFilters(filters, p);
  return Paginate<Subnet>("DescribeSubnets", p, &ParseDescribeSubnets);
}

absl::StatusOr<std::vector<RouteTable>> Ec2QueryClient::DescribeRouteTables(
    const std::vector<Ec2Filter>& filters) {
  QueryParams p;
  AddFilters(filters, p);
  return Paginate<RouteTable>("DescribeRouteTables", p, &ParseDescribeRouteTables);
}

absl::StatusOr<std::vector<AvailabilityZone>> Ec2QueryClient::DescribeAvailabilityZones() {
  absl::StatusOr<std::string> body = Call("DescribeAvailabilityZones", {});
  if (!body.ok()) return body.status();
  return ParseDescribeAvailabilityZones(*body);
}

absl::Status Ec2QueryClient::CreateRoute(const std::string& rt, const std::string& cidr,
                                         const RouteTarget& target) {
  absl::StatusOr<std::string> body = Call("CreateRoute", TargetParams(rt, cidr, target));
  if (!body.ok()) return body.status();
  return ParseSimpleResponse(*body, "CreateRouteResponse");
}

absl::Status Ec2QueryClient::ReplaceRoute(const std::string& rt, const std::string& cidr,
                                          const RouteTarget& target) {
  absl::StatusOr<std::string> body = Call("ReplaceRoute", TargetParams(rt, cidr, target));
  if (!body.ok()) return body.status();
  return ParseSimpleResponse(*body, "ReplaceRouteResponse");
}

absl::Status Ec2QueryClient::DeleteRoute(const std::string& rt, const std::string& cidr) {
  absl::StatusOr<std::string> body = Call("DeleteRoute", {{"RouteTableId", rt}, {"DestinationCidrBlock", cidr}});
  if (!body.ok()) return body.status();
  return ParseSimpleResponse(*body, "DeleteRouteResponse");
}

}  // namespace romana::aws
