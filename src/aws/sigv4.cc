#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "http/url.h"

namespace romana::aws {
namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

// Trims and collapses runs of whitespace (including folded continuation lines) to one space.
std::string CanonicalHeaderValue(absl::string_view v) {
  std::string out;
  bool in_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

std::string CanonicalPath(absl::string_view raw, bool normalize) {
  if (raw.empty()) return "/";
  std::string path(raw);
  if (normalize) {
    std::vector<absl::string_view> out;
    for (absl::string_view seg : absl::StrSplit(raw, '/')) {
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (!out.empty()) out.pop_back();
        continue;
      }
      out.push_back(seg);
    }
    path = absl::StrCat("/", absl::StrJoin(out, "/"));
    const bool trailing = raw.back() == '/' ||
                          (raw.size() >= 2 && raw.substr(raw.size() - 2) == "/.");
    if (trailing && !out.empty()) path.push_back('/');
  }
  return http::PercentEncode(path, /*keep_slash=*/true);
}

using Params = std::vector<std::pair<std::string, std::string>>;

absl::StatusOr<Params> ParseQuery(absl::string_view query) {
  Params params;
  for (absl::string_view piece : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(piece, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> k = http::PercentDecode(kv.first);
    if (!k.ok()) return k.status();
    absl::StatusOr<std::string> v = http::PercentDecode(kv.second);
    if (!v.ok()) return v.status();
    params.emplace_back(*std::move(k), *std::move(v));
  }
  return params;
}

std::string CanonicalQuery(const Params& params) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(params.size());
  for (const auto& [k, v] : params) enc.emplace_back(http::PercentEncode(k), http::PercentEncode(v));
  std::sort(enc.begin(), enc.end());
  std::vector<std::string> parts;
  parts.reserve(enc.size());
  for (const auto& [k, v] : enc) parts.push_back(absl::StrCat(k, "=", v));
  return absl::StrJoin(parts, "&");
}

struct CanonicalHeaders {
  std::string block;   // "name:value\n" lines
  std::string signed_names;
};

CanonicalHeaders Canonicalize(const HeaderList& headers) {
  std::map<std::string, std::vector<std::string>> grouped;
  for (const auto& [name, value] : headers) {
    grouped[absl::AsciiStrToLower(name)].push_back(CanonicalHeaderValue(value));
  }
  CanonicalHeaders out;
  std::vector<std::string> names;
  for (const auto& [name, values] : grouped) {
    absl::StrAppend(&out.block, name, ":", absl::StrJoin(values, ","), "\n");
    names.push_back(name);
  }
  out.signed_names = absl::StrJoin(names, ";");
  return out;
}

bool HasHeader(const HeaderList& headers, absl::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) {
    return absl::AsciiStrToLower(h.first) == lower_name;
  });
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string DeriveSigningKey(absl::string_view secret, absl::string_view yyyymmdd,
                             absl::string_view region, absl::string_view service) {
  std::string k = HmacSha256(absl::StrCat("AWS4", secret), yyyymmdd);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

std::string AmzDate(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

absl::StatusOr<SigningResult> SignRequest(const SigningRequest& request,
                                          const Credentials& credentials,
                                          const SigningParams& params) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return absl::InvalidArgumentError("sigv4: credentials: access key id and secret are required");
  }
  if (params.region.empty() || params.service.empty()) {
    return absl::InvalidArgumentError("sigv4: region and service are required");
  }
  const std::string amz_date = AmzDate(params.time);
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = absl::StrCat(date, "/", params.region, "/", params.service, "/aws4_request");
  const std::string payload_hash = Sha256Hex(request.body);
  const bool with_token = !credentials.session_token.empty() && !params.omit_session_token;

  absl::StatusOr<Params> query = ParseQuery(request.query);
  if (!query.ok()) return query.status();

  SigningResult result;
  HeaderList headers = request.headers;
  if (params.mode == SigningParams::Mode::kHeaders) {
    if (!HasHeader(headers, "x-amz-date")) {
      headers.emplace_back("X-Amz-Date", amz_date);
      result.headers_to_add.emplace_back("X-Amz-Date", amz_date);
    }
    if (with_token) {
      headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
      result.headers_to_add.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
    if (params.add_content_sha256_header) {
      headers.emplace_back("x-amz-content-sha256", payload_hash);
      result.headers_to_add.emplace_back("x-amz-content-sha256", payload_hash);
    }
  }
  CanonicalHeaders canon = Canonicalize(headers);
  result.signed_headers = canon.signed_names;
  if (params.mode == SigningParams::Mode::kQuery) {
    query->emplace_back("X-Amz-Algorithm", kAlgorithm);
    query->emplace_back("X-Amz-Credential", absl::StrCat(credentials.access_key_id, "/", scope));
    query->emplace_back("X-Amz-Date", amz_date);
    query->emplace_back("X-Amz-Expires", absl::StrCat(params.expires.count()));
    if (with_token) query->emplace_back("X-Amz-Security-Token", credentials.session_token);
    query->emplace_back("X-Amz-SignedHeaders", canon.signed_names);
  }
  const std::string canonical_query = CanonicalQuery(*query);
  result.canonical_request =
      absl::StrCat(request.method, "\n", CanonicalPath(request.path, params.normalize_path), "\n",
                   canonical_query, "\n", canon.block, "\n", canon.signed_names, "\n", payload_hash);
  result.string_to_sign = absl::StrCat(kAlgorithm, "\n", amz_date, "\n", scope, "\n",
                                       Sha256Hex(result.canonical_request));
  const std::string key =
      DeriveSigningKey(credentials.secret_access_key, date, params.region, params.service);
  result.signature = absl::BytesToHexString(HmacSha256(key, result.string_to_sign));
  if (params.mode == SigningParams::Mode::kHeaders) {
    result.headers_to_add.emplace_back(
        "Authorization", absl::StrCat(kAlgorithm, " Credential=", credentials.access_key_id, "/",
                                      scope, ", SignedHeaders=", canon.signed_names,
                                      ", Signature=", result.signature));
  } else {
    result.signed_query = absl::StrCat(canonical_query, "&X-Amz-Signature=", result.signature);
  }
  return result;
}

}  // namespace romana::aws
