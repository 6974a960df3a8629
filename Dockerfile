# coterforum: a static Go binary on distroless. Build: docker build -t coterforum .
# Run:   docker run -p 8080:8080 -v coterforum-data:/data coterforum
# Users: docker run -i --rm -v coterforum-data:/data coterforum user add ... --password-stdin
#        (works beside a running server: SQLite serialises the writers; one server per /data)
# Several replicas on MongoDB behind Caddy: docker-compose.yml (README, « Production »).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (modernc.org/sqlite): a static binary, no libc needed.
RUN CGO_ENABLED=0 go build -trimpath -o /out/coterforum . \
 && mkdir -p /out/data \
 && chown 65532:65532 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="coterforum" \
      org.opencontainers.image.licenses="EUPL-1.2"
COPY --from=build /out/coterforum /coterforum
# The data dir (embedded store, generated secrets, .eml mail) belongs to
# nonroot (uid 65532); a new named volume mounted here inherits that owner.
COPY --from=build --chown=65532:65532 /out/data /data
ENV FORUM_DATA_DIR=/data FORUM_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER 65532:65532
# Distroless has no shell nor curl: the binary checks itself
# (GET /readyz on FORUM_ADDR, exit 0 on 200, 1 otherwise, 3 s at most).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["/coterforum", "healthcheck"]
# serve stops cleanly on SIGTERM (requests in flight: up to 10 s, then the
# background jobs and the store); give it 30 s (docker stop -t 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/coterforum"]
CMD ["serve"]
