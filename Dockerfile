# vitals as a container image: one compiled binary on a minimal glibc base.
#
#   npm run image                    # the default target: the bun build --compile binary
#   npm run image -- --target deno   # the same image around a deno compile binary
#   docker run -p 8080:8080 -v "$PWD/vitals.yaml:/etc/vitals/vitals.yaml:ro" vitals
#
# `npm run image` is `docker build --build-arg VERSION=<package.json's version>
# -t vitals .`: package.json's "version" is the one source of the version, and
# each build stage stops if VERSION is not it.
#
# The final image has no shell or coreutils: command checks can run only programs
# you add to it. Build FROM debian:12-slim instead if your checks need them.

# The binary the tests run and the benchmarks measure: `deno task compile:bun`'s
# bun build --compile, with that task's flags (tests/dockerfile.test.ts compares
# them), built from the locked dependencies the program imports.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
ARG VERSION
RUN [ -n "$VERSION" ] && grep -qF "\"version\": \"$VERSION\"," package.json || \
  { echo "VERSION must be package.json's version: build with npm run image" >&2; exit 1; }
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY main.ts ./
COPY src/ src/
RUN npx -y bun@1.4.4 build --compile --minify --splitting --bytecode --format=esm main.ts src/config/_load_worker.ts --outfile dist/vitals

# The second target: `deno task compile` (deno compile) with only the
# permissions vitals uses: serve and connect, read the config, /proc and
# certificates, read its environment, run command checks, read the host name.
# tests/e2e/deno_permissions.test.ts runs vitals on deno run with exactly those flags.
FROM denoland/deno:2.9.6 AS deno-build
WORKDIR /src
COPY package.json package-lock.json deno.json ./
ARG VERSION
RUN [ -n "$VERSION" ] && grep -qF "\"version\": \"$VERSION\"," package.json || \
  { echo "VERSION must be package.json's version: build with npm run image" >&2; exit 1; }
RUN deno install
COPY main.ts ./
COPY src/ src/
RUN deno task compile

# What both images share: the base, the labels, the user, the health check.
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
ARG VERSION
LABEL org.opencontainers.image.title="vitals" \
      org.opencontainers.image.description="Config-driven health-check sidecar for Kubernetes, Cloud Foundry and bare VMs" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"
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

# `--target deno`: the deno compile binary.
FROM runtime AS deno
COPY --from=deno-build /src/dist/vitals /usr/local/bin/vitals

# The default target (the last stage): the bun build --compile binary.
FROM runtime AS bun
COPY --from=build /src/dist/vitals /usr/local/bin/vitals
