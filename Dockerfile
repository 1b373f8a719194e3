# syntax=docker/dockerfile:1
# Romana's container images: one build stage, one small runtime image per component.
#   scripts/images builds them all with podman; one by hand:
#   podman build --target romanad --build-arg VERSION=0.1.0 -t romana/romanad:0.1.0 .
# Targets: romanad, romana-agent (with the CNI plugin romana-cni), romana-listener, romana-aws,
# romana-vpcrouter, romanactl.
# tests/deploy checks that BUILD_PACKAGES equals scripts/setup's toolchain and library packages,
# that RUNTIME_PACKAGES holds the Debian 12 runtime package of every library the binaries link,
# and that each package exists in Debian 12.

ARG DEBIAN=debian:bookworm

# ---- build: every binary, Release -------------------------------------------------------------
FROM ${DEBIAN} AS build
# = scripts/setup's "toolchain" and "libraries" packages (tests/deploy compares the two lists).
ARG BUILD_PACKAGES="\
  build-essential cmake ninja-build pkg-config git \
  libabsl-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libsqlite3-dev \
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc \
  libnl-3-dev libnl-route-3-dev libnftables-dev libcurl4-openssl-dev libssl-dev libpugixml-dev \
  libyaml-cpp-dev prometheus-cpp-dev libboost1.81-dev \
  libgtest-dev libgmock-dev libbenchmark-dev"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${BUILD_PACKAGES} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && ninja -C build romanad romana-agent romana-cni romana-listener romana-aws romana-vpcrouter romanactl \
 && mkdir -p /out \
 && for b in romanad romana-agent romana-cni romana-listener romana-aws romana-vpcrouter romanactl; do \
      install -m 0755 -s "build/apps/$b/$b" /out/; \
    done

# ---- runtime: the shared libraries the binaries link, nothing else ----------------------------
FROM ${DEBIAN} AS runtime
# The Debian 12 runtime package of each library package above that ships a shared library
# (header-only and build-only packages have none). ca-certificates: TLS to the EC2 API and etcd.
ARG RUNTIME_PACKAGES="\
  libabsl20220623 libspdlog1.10 libfmt9 libsqlite3-0 \
  libgrpc++1.51 libgrpc29 libprotobuf32 libc-ares2 libre2-9 zlib1g \
  libnl-3-200 libnl-route-3-200 libnftables1 libcurl4 libssl3 libpugixml1v5 \
  libyaml-cpp0.7 libprometheus-cpp-core1.0 \
  ca-certificates"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 65532 --no-create-home --shell /usr/sbin/nologin romana
ARG VERSION=0.0.0
LABEL org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/romana/romana" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="Romana"

# ---- one image per component -----------------------------------------------------------------
FROM runtime AS romanad
ARG VERSION=0.0.0
LABEL org.opencontainers.image.title="romanad" org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Romana's central service and REST API"
COPY --from=build /out/romanad /usr/local/bin/romanad
USER 65532:65532
EXPOSE 9600
ENTRYPOINT ["/usr/local/bin/romanad"]

# The agent programs routes, rules and nftables on the host and copies romana-cni into the host's
# /opt/cni/bin: it runs as root (the DaemonSet adds privileged / NET_ADMIN).
FROM runtime AS romana-agent
ARG VERSION=0.0.0
LABEL org.opencontainers.image.title="romana-agent" org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Romana's node agent, with the CNI plugin romana-cni"
COPY --from=build /out/romana-agent /out/romana-cni /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/romana-agent"]

FROM runtime AS romana-listener
ARG VERSION=0.0.0
LABEL org.opencontainers.image.title="romana-listener" org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Turns Kubernetes nodes, namespaces, pods and NetworkPolicies into romanad state"
COPY --from=build /out/romana-listener /usr/local/bin/romana-listener
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/romana-listener"]

FROM runtime AS romana-aws
ARG VERSION=0.0.0
LABEL org.opencontainers.image.title="romana-aws" org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Keeps EC2 Source/Dest check off on the cluster's instances"
COPY --from=build /out/romana-aws /usr/local/bin/romana-aws
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/romana-aws"]

# Unprivileged by default (enough for --health=tcp). ICMP checks need an effective CAP_NET_RAW, which
# Kubernetes grants only to root: the Deployment runs it as root with NET_RAW alone.
FROM runtime AS romana-vpcrouter
ARG VERSION=0.0.0
LABEL org.opencontainers.image.title="romana-vpcrouter" org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Keeps VPC routes to Romana's prefix groups on healthy nodes"
COPY --from=build /out/romana-vpcrouter /usr/local/bin/romana-vpcrouter
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/romana-vpcrouter"]

FROM runtime AS romanactl
ARG VERSION=0.0.0
LABEL org.opencontainers.image.title="romanactl" org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Romana's command-line client"
COPY --from=build /out/romanactl /usr/local/bin/romanactl
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/romanactl"]
