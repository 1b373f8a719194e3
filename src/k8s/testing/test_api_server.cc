#include "k8s/testing/test_api_server.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "http_server/http_server.h"

namespace romana::k8s::testing {

using nlohmann::json;
using http_server::HttpServer;
using http_server::Request;
using http_server::Response;

namespace {

json StatusObject(int code, const std::string& reason, const std::string& message) {
  return json{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Failure"},
              {"message", message}, {"reason", reason}, {"code", code}};
}

Response SendJson(int code, const json& j) {
  Response res;
  res.status = code;
  res.body = j.dump();
  return res;
}

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestApiServer>> TestApiServer::Start(TestApiServerOptions options) {
  std::unique_ptr<TestApiServer> s(new TestApiServer());
  // Each open watch runs its loop on a worker (a test fixture: simple beats scalable here).
  absl::StatusOr<std::unique_ptr<HttpServer>> srv =
      HttpServer::Create({.host = "127.0.0.1", .port = 0, .io_threads = 1, .worker_threads = 64});
  if (!srv.ok()) return srv.status();
  s->server_ = *std::move(srv);
  s->resources_ = options.resources;
  s->Install(options);
  if (absl::Status st = s->server_->Start(); !st.ok()) {
    return absl::UnavailableError(absl::StrCat("test API server: cannot bind 127.0.0.1: ", st.message()));
  }
  s->port_ = s->server_->port();
  return s;
}

TestApiServer::~TestApiServer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (server_) server_->Stop();
}

std::string TestApiServer::url() const { return absl::StrCat("http://127.0.0.1:", port_); }

int64_t TestApiServer::resource_version() const {
  std::lock_guard lock(mu_);
  return rv_;
}

int TestApiServer::watch_requests() const {
  std::lock_guard lock(mu_);
  return watch_requests_;
}

json TestApiServer::PutLocked(const std::string& resource, json object, bool* created) {
  const std::string name = object["metadata"]["name"];
  auto& bucket = objects_[resource];
  auto it = bucket.find(name);
  *created = it == bucket.end();
  const int64_t rv = ++rv_;
  json& meta = object["metadata"];
  meta["resourceVersion"] = std::to_string(rv);
  if (*created) {
    meta["uid"] = absl::StrCat("uid-", resource, "-", name, "-", rv);
    meta["creationTimestamp"] = NowRfc3339();
  } else {
    meta["uid"] = it->second["metadata"].value("uid", "");
    meta["creationTimestamp"] = it->second["metadata"].value("creationTimestamp", "");
  }
  for (const auto& r : resources_) {
    if (r.name == resource) {
      object["kind"] = r.kind;
      object["apiVersion"] = "v1";
    }
  }
  bucket[name] = object;
  history_.push_back({rv, resource, *created ? "ADDED" : "MODIFIED", object});
  cv_.notify_all();
  return object;
}

bool TestApiServer::RemoveLocked(const std::string& resource, const std::string& name, json* removed) {
  auto& bucket = objects_[resource];
  auto it = bucket.find(name);
  if (it == bucket.end()) return false;
  json obj = it->second;
  bucket.erase(it);
  const int64_t rv = ++rv_;
  obj["metadata"]["resourceVersion"] = std::to_string(rv);
  history_.push_back({rv, resource, "DELETED", obj});
  if (removed) *removed = obj;
  cv_.notify_all();
  return true;
}

json TestApiServer::Put(const std::string& resource, json object) {
  std::lock_guard lock(mu_);
  bool created;
  return PutLocked(resource, std::move(object), &created);
}

bool TestApiServer::Remove(const std::string& resource, const std::string& name) {
  std::lock_guard lock(mu_);
  return RemoveLocked(resource, name, nullptr);
}

std::vector<json> TestApiServer::Objects(const std::string& resource) const {
  std::lock_guard lock(mu_);
  std::vector<json> out;
  auto it = objects_.find(resource);
  if (it == objects_.end()) return out;
  for (const auto& [n, o] : it->second) out.push_back(o);
  return out;
}

void TestApiServer::Compact() {
  std::lock_guard lock(mu_);
  compacted_ = rv_;
  history_.clear();
}

void TestApiServer::DropWatches() {
  {
    std::lock_guard lock(mu_);
    ++drop_generation_;
  }
  cv_.notify_all();
}

void TestApiServer::HoldWatches() {
  std::lock_guard lock(mu_);
  watches_held_ = true;
}

void TestApiServer::ReleaseWatches() {
  {
    std::lock_guard lock(mu_);
    watches_held_ = false;
  }
  cv_.notify_all();
}

void TestApiServer::Install(const TestApiServerOptions& options) {
  HttpServer& srv = *server_;
  srv.Handle("GET", "/version", [](const Request&) {
    return SendJson(200, {{"major", "1"}, {"minor", "32"}, {"gitVersion", "v1.32.0-romana-test"},
                        {"platform", "linux/amd64"}});
  });
  srv.Handle("GET", "/api", [this](const Request&) {
    return SendJson(200, {{"kind", "APIVersions"}, {"versions", {"v1"}},
                        {"serverAddressByClientCIDRs",
                         {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", absl::StrCat("127.0.0.1:", port_)}}}}});
  });
  srv.Handle("GET", "/apis", [](const Request&) {
    return SendJson(200, {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", json::array()}});
  });
  srv.Handle("GET", "/api/v1", [this](const Request&) {
    json list = json::array();
    for (const auto& r : resources_) {
      list.push_back({{"name", r.name}, {"singularName", r.singular}, {"namespaced", false}, {"kind", r.kind},
                      {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}},
                      {"shortNames", r.short_names}});
    }
    return SendJson(200, {{"kind", "APIResourceList"}, {"groupVersion", "v1"}, {"resources", list}});
  });
  for (const ResourceType& r : options.resources) {
    const std::string base = "/api/v1/" + r.name;
    const std::string resource = r.name;
    srv.HandleAsync("GET", base, [this, resource, kind = r.kind](const Request& req, http_server::Responder responder) {
      const std::string watch = req.Param("watch");
      if (watch != "true" && watch != "1") {
        std::lock_guard lock(mu_);
        json items = json::array();
        for (const auto& [n, o] : objects_[resource]) items.push_back(o);
        return responder.Send(SendJson(200, {{"kind", kind + "List"}, {"apiVersion", "v1"},
                                             {"metadata", {{"resourceVersion", std::to_string(rv_)}}}, {"items", items}}));
      }
      int64_t sent = 0;
      const std::string rv_text = req.Param("resourceVersion");
      if (!rv_text.empty()) sent = std::strtoll(rv_text.c_str(), nullptr, 10);
      bool initial = sent == 0;
      const bool bookmarks = req.Param("allowWatchBookmarks") == "true";
      int timeout = 1800;
      if (req.HasParam("timeoutSeconds")) timeout = std::atoi(req.Param("timeoutSeconds").c_str());
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
      uint64_t generation;
      {
        std::lock_guard lock(mu_);
        ++watch_requests_;
        generation = drop_generation_;
      }
      auto last_bookmark = std::chrono::steady_clock::now();
      std::shared_ptr<http_server::Stream> stream = responder.StartStream({.content_type = "application/json"});
      auto write = [&](const json& ev) { return stream->Write(ev.dump() + "\n"); };
      // This worker serves the stream until it ends.
      while (true) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !watches_held_ || stopping_; });
        if (initial) {  // resourceVersion 0/absent: current state as ADDED events
          initial = false;
          for (const auto& [n, o] : objects_[resource]) {
            if (!write({{"type", "ADDED"}, {"object", o}})) return;
          }
          sent = rv_;
        } else if (sent < compacted_) {
          write({{"type", "ERROR"},
                 {"object", StatusObject(410, "Expired",
                                         absl::StrCat("too old resource version: ", sent, " (", compacted_, ")"))}});
          return stream->Finish();
        }
        cv_.wait_for(lock, std::chrono::milliseconds(200),
                     [&] { return stopping_ || drop_generation_ != generation || rv_ > sent; });
        if (stopping_ || drop_generation_ != generation || std::chrono::steady_clock::now() >= deadline ||
            !stream->open()) {
          return stream->Finish();
        }
        for (const Event& e : history_) {
          if (e.rv <= sent || e.resource != resource) continue;
          if (!write({{"type", e.type}, {"object", e.object}})) return;
        }
        if (rv_ > sent) sent = rv_;
        if (bookmarks && std::chrono::steady_clock::now() - last_bookmark > std::chrono::seconds(1)) {
          last_bookmark = std::chrono::steady_clock::now();
          write({{"type", "BOOKMARK"},
                 {"object", {{"kind", "Node"}, {"apiVersion", "v1"},
                             {"metadata", {{"resourceVersion", std::to_string(sent)}}}}}});
        }
      }
    });
    srv.Handle("GET", base + "/([^/]+)", [this, resource, kind = r.kind](const Request& req) {
      std::lock_guard lock(mu_);
      auto it = objects_[resource].find(req.matches[1]);
      if (it == objects_[resource].end()) {
        return SendJson(404, StatusObject(404, "NotFound", absl::StrCat(resource, " \"", req.matches[1], "\" not found")));
      }
      return SendJson(200, it->second);
    });
    srv.Handle("POST", base, [this, resource](const Request& req) {
      json obj = json::parse(req.body, nullptr, false);
      if (!obj.is_object() || !obj.contains("metadata") || !obj["metadata"].contains("name")) {
        return SendJson(400, StatusObject(400, "BadRequest", "object needs metadata.name"));
      }
      std::lock_guard lock(mu_);
      if (objects_[resource].count(obj["metadata"]["name"])) {
        return SendJson(409, StatusObject(409, "AlreadyExists",
                                        absl::StrCat(resource, " \"", obj["metadata"]["name"].get<std::string>(), "\" already exists")));
      }
      bool created;
      return SendJson(201, PutLocked(resource, std::move(obj), &created));
    });
    srv.Handle("PUT", base + "/([^/]+)", [this, resource](const Request& req) {
      json obj = json::parse(req.body, nullptr, false);
      if (!obj.is_object()) {
        return SendJson(400, StatusObject(400, "BadRequest", "body is not a JSON object"));
      }
      obj["metadata"]["name"] = req.matches[1];
      std::lock_guard lock(mu_);
      bool created;
      json out = PutLocked(resource, std::move(obj), &created);
      return SendJson(created ? 201 : 200, out);
    });
    srv.Handle("PATCH", base + "/([^/]+)", [this, resource](const Request& req) {
      json patch = json::parse(req.body, nullptr, false);
      std::lock_guard lock(mu_);
      auto it = objects_[resource].find(req.matches[1]);
      if (it == objects_[resource].end()) {
        return SendJson(404, StatusObject(404, "NotFound", "not found"));
      }
      if (patch.is_discarded() || !patch.is_object()) {
        return SendJson(415, StatusObject(415, "UnsupportedMediaType", "only merge patches are supported"));
      }
      json obj = it->second;
      obj.merge_patch(patch);
      bool created;
      return SendJson(200, PutLocked(resource, std::move(obj), &created));
    });
    srv.Handle("DELETE", base + "/([^/]+)", [this, resource](const Request& req) {
      std::lock_guard lock(mu_);
      json removed;
      if (!RemoveLocked(resource, req.matches[1], &removed)) {
        return SendJson(404, StatusObject(404, "NotFound", "not found"));
      }
      return SendJson(200, removed);
    });
  }
}

}  // namespace romana::k8s::testing
