# Every third-party dependency, found once. All come from Debian 12 packages (scripts/setup).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED)  # headers: Beast, Asio (src/http_server)
find_package(pugixml CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(Protobuf REQUIRED)          # module mode: Debian ships no protobuf config file
find_package(gRPC CONFIG REQUIRED)
# cpp-httplib: only src/http/curl_client_test's test servers still use it (nothing shipped links
# it; issue 11 removes it once that test runs on src/http_server). It is a compiled library on
# Debian: its pkg-config cflags (OpenSSL, zlib, brotli) must be used or the ABI does not match.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(LIBNL REQUIRED IMPORTED_TARGET libnl-3.0 libnl-route-3.0)
pkg_check_modules(NFTABLES REQUIRED IMPORTED_TARGET libnftables)
if(BUILD_TESTING)
  find_package(GTest CONFIG REQUIRED)
endif()
if(ROMANA_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
