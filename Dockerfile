# quotaprobe as a container, for sharded runs on Kubernetes (deploy/k8s/) or anywhere else.
# Two stages: build the release binary on the pinned toolchain, then copy it alone onto a
# distroless base (glibc, CA certificates for real tenants, no shell, no package manager) and run
# it as the base's unprivileged user (65532, "nonroot"; numeric, so runAsNonRoot can check it).
# Build: docker build -t quotaprobe:0.1.0 .
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY examples ./examples
RUN cargo build --release --locked --bin quotaprobe

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/quotaprobe /usr/local/bin/quotaprobe
COPY scenarios /scenarios
# Reports go to /reports (mount a volume there); the process cannot write anywhere else.
WORKDIR /reports
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/quotaprobe"]
CMD ["--help"]
