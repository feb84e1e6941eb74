# Multi-stage build: compile with the Rust toolchain, run on a slim Debian with only the binary.
# Native libraries (SQLite, libpq, OpenSSL) are compiled in, so the runtime image needs none.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin techx

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/techx --create-home techx
COPY --from=build /src/target/release/techx /usr/local/bin/techx
USER techx
WORKDIR /var/lib/techx
ENV TECHX_BIND=0.0.0.0:8080 \
    TECHX_DATA_DIR=/var/lib/techx/data \
    TECHX_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["techx"]
CMD ["serve"]
