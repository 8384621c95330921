// The Kubernetes recipe (deploy/kubernetes/vitals-sidecar.yaml) run the way a
// cluster runs it, in a root that holds what gcr.io/distroless/cc has and no
// more: the binary of the Dockerfile's default target, built by that target's
// build stage's own steps run outside Docker (tests/_helpers/dockerfile.ts)
// and copied where the image puts it, the libraries `ldd` names, /etc/passwd
// and the recipe's own config, taken from its ConfigMap. vitals runs there as uid
// 65532 with a read-only root and no writable /tmp, as PID 1 of its own PID
// namespace, in a network namespace the test creates (so the recipe's fixed
// ports, 3000, 6379 and 8080, are free). kubelet's HTTP probes come from the
// host over a veth pair to the "pod IP", with kubelet's headers and its 1 s
// timeout; the Docker HEALTHCHECK, `vitals probe`, runs inside the container's
// namespaces as uid 65532, as `docker exec` would.
//
// Needs root, unshare, nsenter, chroot, ip and ldd (util-linux, coreutils,
// iproute2, libc-bin; CI runs as root). Without them the test skips and says
// why. It runs on the Deno runner only: the Bun runner would test the same
// compiled binary again.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { ROOT, tempDir } from "../_helpers/files.ts";
import { processExists } from "../_helpers/pids.ts";
import { eventually, sleep } from "../_helpers/waits.ts";
import { buildStage, copiesFrom, stages } from "../_helpers/dockerfile.ts";
import { VERSION } from "../../src/version.ts";
import { exitWithin, type Running, start, stop } from "../_helpers/processes.ts";

const MANIFEST = `${ROOT}deploy/kubernetes/vitals-sidecar.yaml`;
/** The port the recipe's probes use. */
const PORT = 8080;
/** distroless' nonroot user. */
const NONROOT = 65532;
const CHROOT = ["/usr/sbin/chroot", "/usr/bin/chroot"].find((path) => existsSync(path));

/** Why this test cannot run here, or `false`. */
function cannotRun(): string | false {
  if ("Bun" in globalThis) return "the Deno runner covers it (the same compiled binary)";
  if (process.platform !== "linux") return "it needs Linux namespaces";
  if (process.getuid?.() !== 0) return "it needs root (unshare, ip netns, chroot)";
  if (!CHROOT) return "chroot is not installed";
  for (const program of ["unshare", "nsenter", "ip", "ldd", "node"]) {
    const ran = spawnSync("sh", ["-c", `command -v ${program}`]);
    if (ran.status !== 0) return `${program} is not installed`;
  }
  return false;
}

/** Runs a command to its end and returns its stdout; fails the test on a non-zero exit. */
function must(argv: string[]): string {
  const [program = "", ...args] = argv;
  const ran = spawnSync(program, args, { encoding: "utf8", timeout: 30_000 });
  assert.equal(ran.status, 0, `${argv.join(" ")} failed: ${ran.stderr}${ran.error ?? ""}`);
  return ran.stdout;
}

/** The config in the recipe's ConfigMap, exactly as a pod would see it. */
function recipeConfig(): string {
  const configMap = parseAllDocuments(readFileSync(MANIFEST, "utf8"))
    .map((document) => document.toJS() as { kind?: string; data?: Record<string, string> })
    .find((document) => document.kind === "ConfigMap");
  const yaml = configMap?.data?.["vitals.yaml"];
  assert.ok(yaml, `${MANIFEST} has no ConfigMap with a vitals.yaml`);
  return yaml;
}

/**
 * The default image's binary, built as `docker build` builds it: the steps of
 * the stage the Dockerfile's last stage copies from, run in `dir` with
 * VERSION from package.json (what `npm run image` passes). Returns the built
 * binary and where the image puts it.
 */
async function imageBinary(dir: string): Promise<{ binary: string; destination: string }> {
  const target = stages().at(-1)!;
  const [copy, ...others] = copiesFrom(target);
  assert.ok(copy && others.length === 0, `the default target "${target.name}" copies one binary`);
  const started = performance.now();
  // npm ci reads its cache first: the registry only for what it lacks.
  await buildStage(copy.from, dir, { VERSION }, { npm_config_prefer_offline: "true" });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`built the image's binary with stage "${copy.from}"'s steps in ${seconds} s`);
  return { binary: `${dir}${copy.source}`, destination: copy.destination };
}

/**
 * Builds the root file system: the binary where the image puts it, the
 * libraries it links, the users and name lookup distroless ships, the config,
 * and empty mount points. `redis` resolves through /etc/hosts, as a Service
 * name would through DNS.
 */
function buildRoot(root: string, binary: string, destination: string): void {
  for (const dir of [dirname(destination).slice(1), "etc/vitals", "proc", "dev", "shared", "tmp"]) {
    mkdirSync(`${root}/${dir}`, { recursive: true, mode: 0o755 });
  }
  copyFileSync(binary, `${root}${destination}`);
  chmodSync(`${root}${destination}`, 0o755);
  const libraries = [...must(["ldd", binary]).matchAll(/(?:=> )?(\/\S+) \(0x/g)]
    .map((match) => match[1] ?? "");
  assert.ok(libraries.length > 0, "ldd named no libraries");
  for (const library of libraries) {
    mkdirSync(`${root}${dirname(library)}`, { recursive: true });
    copyFileSync(library, `${root}${library}`);
  }
  writeFileSync(`${root}/etc/vitals/vitals.yaml`, recipeConfig());
  writeFileSync(
    `${root}/etc/passwd`,
    `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n`,
  );
  writeFileSync(`${root}/etc/group`, `root:x:0:\nnonroot:x:${NONROOT}:\n`);
  writeFileSync(`${root}/etc/nsswitch.conf`, "hosts: files dns\n");
  writeFileSync(`${root}/etc/hosts`, "127.0.0.1 localhost\n127.0.0.1 redis\n");
  chmodSync(root, 0o755);
  chmodSync(`${root}/tmp`, 0o1777);
}

/**
 * Mounts the container's view inside new mount and PID namespaces, then runs
 * vitals (`$4`, where the image puts it) as PID 1: /proc of its own PID
 * namespace, a /dev with only null, zero and the random devices, the shared
 * emptyDir read-only (as the recipe mounts it), and the root remounted
 * read-only. No writable /tmp.
 */
const CONTAINER_SCRIPT = `set -eu
root="$1"; shared="$2"; chroot="$3"; vitals="$4"
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=755,size=64k tmpfs "$root/dev"
for device in null zero random urandom; do
  : > "$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done
mount --bind "$shared" "$root/shared"
mount -o remount,bind,ro "$root/shared"
mount -o remount,bind,ro "$root"
exec env -i PATH=/usr/local/bin HOME=/home/nonroot VITALS_CONFIG=/etc/vitals/vitals.yaml \\
  "$chroot" --userspec=${NONROOT}:${NONROOT} "$root" "$vitals" serve --watch
`;

/** A probe's verdict as kubelet reaches it: success for 200–399. */
interface Verdict {
  ok: boolean;
  status: number | string;
}

/**
 * One kubelet HTTP probe: a new connection, kubelet's headers, redirects not
 * followed, and the whole exchange within 1 s.
 */
async function kubeletProbe(url: string): Promise<Verdict> {
  try {
    const response = await fetch(url, {
      headers: { "user-agent": "kube-probe/1.33", accept: "*/*", connection: "close" },
      redirect: "manual",
      signal: AbortSignal.timeout(1000),
    });
    // kubelet reads at most 10 KiB of the body; vitals' /simple bodies are 15 or 17 bytes.
    await response.arrayBuffer();
    return { ok: response.status >= 200 && response.status < 400, status: response.status };
  } catch (error) {
    return { ok: false, status: error instanceof Error ? error.name : String(error) };
  }
}

/** The PIDs of a process's children, from /proc. */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  return text === "" ? [] : text.split(" ").map(Number);
}

test(
  "the default image's binary, built by the Dockerfile's steps, runs the Kubernetes recipe in a distroless-like root as uid 65532 on a read-only root, and kubelet-style probes see startup, liveness and readiness as docs/deploy/kubernetes.md says",
  { timeout: 420_000 },
  async (t) => {
    const reason = cannotRun();
    if (reason) {
      console.log(`skipping the distroless-like run: ${reason}`);
      t.skip(reason);
      return;
    }
    const dir = await tempDir();
    const { binary, destination } = await imageBinary(`${dir}/build`);
    const version = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
    // package.json's version, and how the binary was built.
    assert.match(
      version.stdout,
      new RegExp(
        `^vitals ${
          VERSION.replaceAll(".", "\\.")
        } \\(bun \\S+, compiled with bun build --compile\\)\n$`,
      ),
      version.stderr,
    );
    const root = `${dir}/root`;
    const shared = `${dir}/shared`;
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(dir, 0o755);
    buildRoot(root, binary, destination);

    // A network namespace with a veth pair: the host side plays kubelet.
    const netns = `vitals-dl-${process.pid}`;
    const link = `vdl${process.pid % 100_000}`;
    const subnet = `10.254.${(process.pid >> 6) % 250}`;
    const base = (process.pid % 60) * 4;
    const hostIp = `${subnet}.${base + 1}`;
    const podIp = `${subnet}.${base + 2}`;
    const started: Running[] = [];
    try {
      must(["ip", "netns", "add", netns]);
      must(["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"]);
      must(["ip", "link", "add", `${link}h`, "type", "veth", "peer", "name", `${link}n`]);
      must(["ip", "link", "set", `${link}n`, "netns", netns]);
      must(["ip", "addr", "add", `${hostIp}/30`, "dev", `${link}h`]);
      must(["ip", "link", "set", `${link}h`, "up"]);
      must(["ip", "netns", "exec", netns, "ip", "addr", "add", `${podIp}/30`, "dev", `${link}n`]);
      must(["ip", "netns", "exec", netns, "ip", "link", "set", `${link}n`, "up"]);

      // The native sidecar starts first, before the app.
      const container = start(
        [],
        {
          command: [
            "ip",
            "netns",
            "exec",
            netns,
            "unshare",
            "--mount",
            "--pid",
            "--fork",
            "--kill-child=SIGKILL",
            "sh",
            "-c",
            CONTAINER_SCRIPT,
            "container",
            root,
            shared,
            CHROOT!,
            destination,
          ],
        },
      );
      started.push(container);
      let vitalsPid = 0;
      assert.ok(
        await eventually(() => {
          if (!processExists(container.child.pid!)) return false;
          const child = childrenOf(container.child.pid!)[0];
          if (child === undefined) return false;
          vitalsPid = child;
          return readFileSync(`/proc/${child}/cmdline`, "utf8").includes("vitals");
        }, 10_000),
        `vitals did not start in the container:\n${container.stderr}`,
      );
      const probe = (group: string) =>
        kubeletProbe(`http://${podIp}:${PORT}/health/${group}/simple`);
      assert.ok(
        await eventually(async () => typeof (await probe("live")).status === "number", 10_000),
        `kubelet cannot reach vitals on the pod IP:\n${container.stderr}`,
      );

      // What the container runs as, and on what root.
      const status = readFileSync(`/proc/${vitalsPid}/status`, "utf8");
      assert.match(status, new RegExp(`^Uid:\\s+${NONROOT}\\s+${NONROOT}\\s`, "m"));
      assert.match(status, new RegExp(`^Gid:\\s+${NONROOT}\\s+${NONROOT}\\s`, "m"));
      assert.match(status, /^NSpid:\s+\d+\s+1$/m, "vitals is PID 1 in its PID namespace");
      const rootMount = readFileSync(`/proc/${vitalsPid}/mountinfo`, "utf8").split("\n")
        .map((line) => line.split(" "))
        .find((fields) => fields[4] === "/");
      assert.match(rootMount?.[5] ?? "", /^ro\b/, "the root is mounted read-only");

      // Before migrations ran and before the app is up: not started, not ready.
      assert.deepEqual(await probe("started"), { ok: false, status: 503 });
      assert.deepEqual(await probe("ready"), { ok: false, status: 503 });

      /** `vitals probe` in the container's namespaces as uid 65532 (Docker's HEALTHCHECK). */
      const healthcheck = () =>
        spawnSync("nsenter", [
          `--target=${vitalsPid}`,
          "--mount",
          "--net",
          "--pid",
          "--root",
          "--wd",
          `--setuid=${NONROOT}`,
          `--setgid=${NONROOT}`,
          destination,
          "probe",
        ], { encoding: "utf8", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" }, timeout: 10_000 });
      const notReady = healthcheck();
      assert.equal(notReady.status, 1, `vitals probe before ready: ${notReady.stderr}`);
      assert.match(notReady.stderr, /answered 503/);

      // The app starts and runs its migrations: startup, liveness and readiness pass.
      const app = start([], {
        command: ["ip", "netns", "exec", netns, "node", `${ROOT}tests/fixtures/recipe_app.mjs`],
      });
      started.push(app);
      assert.ok(await eventually(() => app.stdout.includes("listening"), 10_000), app.stderr);
      writeFileSync(`${shared}/migrated`, "");
      for (const group of ["started", "live", "ready"]) {
        assert.ok(
          await eventually(async () => (await probe(group)).ok, 15_000),
          `${group} did not pass once the app was up: ${JSON.stringify(await probe(group))}`,
        );
      }
      const ready = healthcheck();
      assert.equal(ready.status, 0, `vitals probe once ready: ${ready.stderr}`);

      // `started` latches: the marker going away does not fail the startup probe.
      unlinkSync(`${shared}/migrated`);
      const full = `http://${podIp}:${PORT}/health`;
      assert.ok(
        await eventually(async () => {
          const body = await (await fetch(full)).json() as { details?: string[] };
          return (body.details ?? []).some((line) => line.startsWith("migrated:"));
        }, 15_000),
        "the file check did not see the marker go",
      );
      assert.deepEqual(await probe("started"), { ok: true, status: 200 });

      // The app dies: readiness fails at once, liveness after its threshold (2).
      await stop(app);
      assert.ok(
        await eventually(async () => (await probe("ready")).status === 503, 15_000),
        "readiness did not fail when the app died",
      );
      assert.ok(
        await eventually(async () => (await probe("live")).status === 503, 20_000),
        "liveness did not fail when the app died",
      );
      const dead = healthcheck();
      assert.equal(dead.status, 1, `vitals probe once the app died: ${dead.stderr}`);

      // Pod deletion: SIGTERM to PID 1; readiness fails at once, then vitals exits 0.
      process.kill(vitalsPid, "SIGTERM");
      await sleep(300);
      assert.equal((await probe("ready")).status, 503, "readiness during the drain");
      assert.equal(await exitWithin(container, 20_000), 0, container.stderr);
      assert.doesNotMatch(container.stderr, /EROFS|read-only file system|panic/i);
    } finally {
      for (const running of started) await stop(running);
      spawnSync("ip", ["link", "del", `${link}h`]);
      spawnSync("ip", ["netns", "del", netns]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
