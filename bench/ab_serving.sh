#!/usr/bin/env bash
# A/B of probe throughput between two commits: serves the same one-check config
# (background mode, so every answer comes from the cache) from each commit in
# turn and runs wrk on /health/ready/simple, interleaved, ROUNDS times per
# runtime. Prints requests per second per run and the median per commit.
#
#   bash bench/ab_serving.sh <commit A> <commit B> [rounds] [seconds]
#
# Needs wrk, git, and the pinned deno and bun (npx). Loopback only; stops only
# the servers it started.
set -euo pipefail
a=$1 b=$2 rounds=${3:-5} seconds=${4:-5}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for commit in "$a" "$b"; do
  git -C "$root" archive "$commit" | (mkdir -p "$work/$commit" && tar -x -C "$work/$commit")
  ln -s "$root/node_modules" "$work/$commit/node_modules"
done
cat > "$work/ab.yaml" <<'YAML'
cache: { mode: background, ttl: 5s }
checks:
  - { name: ok, type: command, command: ["true"] }
YAML
deno=$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')
bun=$(npx -y bun@1.4.4 -e 'console.log(process.execPath)')
port=18931
for runtime in deno bun; do
  declare -A results=()
  for round in $(seq "$rounds"); do
    for commit in "$a" "$b"; do
      cd "$work/$commit"
      if [ "$runtime" = deno ]; then
        "$deno" run -A main.ts serve --config "$work/ab.yaml" --host 127.0.0.1 --port $port --log-level quiet &
      else
        "$bun" main.ts serve --config "$work/ab.yaml" --host 127.0.0.1 --port $port --log-level quiet &
      fi
      pid=$!
      for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready/simple" && break; sleep 0.1; done
      rps=$(wrk -t1 -c50 -d"${seconds}s" "http://127.0.0.1:$port/health/ready/simple" | awk '/Requests\/sec/ {print $2}')
      kill "$pid"; wait "$pid" 2>/dev/null || true
      results[$commit]="${results[$commit]:-} $rps"
      echo "$runtime round $round $commit: $rps req/s"
    done
  done
  for commit in "$a" "$b"; do
    median=$(echo "${results[$commit]}" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
    echo "$runtime $commit median: $median req/s (runs:${results[$commit]})"
  done
  unset results
done
