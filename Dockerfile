# syntax=docker/dockerfile:1
# The components image that pipeline.yaml runs:
#   docker build --target components -t mlops-titanic/components:0.1.0 .
# It runs as the non-root UID/GID 8737, the one pipeline.yaml's securityContext asks for.
# (The `inference` target comes with the /predict server.)

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p titanic-components --bin titanic \
    && install -D target/release/titanic /out/titanic

FROM debian:bookworm-slim AS components
# CA certificates for https:// sources and S3 over TLS.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 8737 titanic && useradd --uid 8737 --gid 8737 --no-create-home --shell /usr/sbin/nologin titanic
COPY --from=build /out/titanic /usr/local/bin/titanic
USER 8737:8737
ENTRYPOINT ["titanic"]
CMD ["list"]
