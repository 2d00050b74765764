# syntax=docker/dockerfile:1
# Two images from one build:
#   docker build --target components -t mlops-titanic/components:0.1.0 .   (what pipeline.yaml runs)
#   docker build --target inference  -t mlops-titanic/inference:0.1.0 .    (the model server)
# Both run as the non-root UID/GID 8737, the one pipeline.yaml's securityContext asks for.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p titanic-components --bin titanic \
    && install -D target/release/titanic /out/titanic
# The server alone: built without the runner's S3 store, it links no burn and no pipeline code.
RUN cargo build --release --locked -p titanic-serve --bin titanic-serve \
    && install -D target/release/titanic-serve /out/titanic-serve && mkdir -p /out/beacon

FROM debian:bookworm-slim AS components
# CA certificates for https:// sources and S3 over TLS.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 8737 titanic && useradd --uid 8737 --gid 8737 --no-create-home --shell /usr/sbin/nologin titanic
COPY --from=build /out/titanic /usr/local/bin/titanic
USER 8737:8737
ENTRYPOINT ["titanic"]
CMD ["list"]

# The inference server, as the demo runs it:
#   docker run -v ./beacon:/var/beacon -p 8090:8090 mlops-titanic/inference:0.1.0 \
#     --bucket mybucket --model-path model.json
# (S3 endpoint and credentials from AWS_* variables; --model /models/model.json for a mounted file.)
# distroless/cc: glibc, libgcc and CA certificates, no shell or package manager (~25 MB).
FROM gcr.io/distroless/cc-debian12:nonroot AS inference
COPY --from=build /out/titanic-serve /usr/local/bin/titanic-serve
# The beacon volume, owned by the non-root user so a fresh named volume is writable too.
COPY --from=build --chown=8737:8737 /out/beacon/ /var/beacon/
USER 8737:8737
VOLUME ["/var/beacon"]
EXPOSE 8090
ENV PORT=8090
ENTRYPOINT ["/usr/local/bin/titanic-serve"]
