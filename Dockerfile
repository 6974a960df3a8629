# coterforum: a static Go binary on distroless. Build: docker build -t coterforum .
# Run:   docker run -p 8080:8080 -v coterforum-data:/data coterforum
# Users: docker run -i --rm -v coterforum-data:/data coterforum user add ... --password-stdin
#        (works beside a running server: SQLite serialises the writers; one server per /data)

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/coterforum . \
 && mkdir -p /out/data \
 && chown 65532:65532 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/coterforum /coterforum
# The data dir (embedded store, generated secrets, .eml mail) belongs to
# nonroot (uid 65532); a new named volume mounted here inherits that owner.
COPY --from=build --chown=65532:65532 /out/data /data
ENV FORUM_DATA_DIR=/data FORUM_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER nonroot
# No HEALTHCHECK: distroless has no shell nor curl to run one. Point the
# orchestrator's probes at GET /healthz (liveness) and GET /readyz (readiness).
ENTRYPOINT ["/coterforum"]
CMD ["serve"]
