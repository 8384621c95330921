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
# Only the permissions vitals uses: serve and connect, read the config, read
# VITALS_* variables, run command checks.
RUN deno compile --allow-net --allow-read --allow-env --allow-run \
    --output /out/vitals main.ts

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/vitals /usr/local/bin/vitals
ENV VITALS_CONFIG=/etc/vitals/vitals.yaml
USER nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/vitals"]
CMD ["serve"]
