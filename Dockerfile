# syntax=docker/dockerfile:1
#
# One image holding the six Portal binaries (docs/adr/0006-one-image-six-binaries.md).
# A container runs one service, chosen by its command:
#
#   docker build -t portal:dev .
#   docker run --rm portal:dev identity --help
#
# Stages: chef (the toolchain + cargo-chef), planner (the dependency recipe),
# builder (dependencies cooked in their own cached layer, then the workspace),
# runtime (distroless, non-root, no shell, no build tools).

FROM rust:1-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
# Only Cargo.toml/Cargo.lock changes invalidate this layer: the dependencies
# are compiled once and reused by every build that touches only our code.
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked \
        -p identity -p requests -p work-orders -p documents -p notification -p portal-gateway \
    && mkdir -p /out/bin /out/data \
    && cp target/release/identity target/release/requests target/release/work-orders \
          target/release/documents target/release/notification target/release/portal-gateway \
          /out/bin/

FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="portal" \
      org.opencontainers.image.description="Portal services: identity, requests, work-orders, documents, notification, portal-gateway" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=builder /out/bin/ /usr/local/bin/
# Writable state (dev certificate, mail files, blobs) lives here; owned by the
# non-root user so a named volume mounted on it inherits a usable owner.
COPY --from=builder --chown=65532:65532 /out/data /var/lib/portal
ENV PORTAL_LOG_FORMAT=json \
    PORTAL_DATA_DIR=/var/lib/portal
WORKDIR /var/lib/portal
USER 65532:65532
# gateway HTTPS; gRPC of identity, requests, work-orders, documents, notification;
# admin HTTP (/metrics, /livez, /readyz) of the gateway and the five backends.
EXPOSE 8443 50051 50052 50053 50054 50055 9100 9101 9102 9103 9104 9105
CMD ["portal-gateway"]
