# vitals as a container image: one compiled binary on a minimal glibc base.
#
#   docker build -t vitals .
#   docker run -p 8080:8080 -v "$PWD/vitals.yaml:/etc/vitals/vitals.yaml:ro" vitals
#
# The final image has no shell or coreutils: command checks can run only programs
# you add to it. Build FROM debian:12-slim instead if your checks need them.

FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY package.json package-lock.json deno.json ./
RUN deno install
COPY main.ts ./
COPY src/ src/
# deno.json's compile task holds the permissions, and only those vitals uses:
# serve and connect, read the config, /proc and certificates, read its
# environment, run command checks. tests/e2e/deno_permissions.test.ts runs
# vitals on deno run with exactly those flags.
RUN deno task compile

FROM gcr.io/distroless/cc-debian12:nonroot
# Keep in step with src/version.ts; CI may pass --build-arg VERSION=...
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="vitals" \
      org.opencontainers.image.description="Config-driven health-check sidecar for Kubernetes, Cloud Foundry and bare VMs" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /src/dist/vitals /usr/local/bin/vitals
ENV VITALS_CONFIG=/etc/vitals/vitals.yaml
# distroless's nonroot user, by number, so Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 8080
# The image has no shell or curl: vitals asks itself, GET
# http://127.0.0.1:$VITALS_PORT/health/ready/simple (port 8080 unless set).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/vitals", "probe"]
ENTRYPOINT ["/usr/local/bin/vitals"]
CMD ["serve"]
