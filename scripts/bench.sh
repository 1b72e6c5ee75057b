#!/usr/bin/env bash
# bench.sh runs SAMO's Go benchmarks and writes BENCHMARKS.md with the
# machine they ran on. Figures are from one run; compare runs on one machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# -p 1: one package at a time, so benchmarks do not share the cores.
go test -p 1 -tags migrated_fynedo -run '^$' -bench . -benchmem -count 1 ./... | tee "$out"
go build -tags migrated_fynedo -ldflags '-s -w' -o "${TMPDIR:-/tmp}/samo-size" ./cmd/samo
size=$(stat -c %s "${TMPDIR:-/tmp}/samo-size")
rm -f "${TMPDIR:-/tmp}/samo-size"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cores=$(nproc)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
{
  echo "# SAMO benchmarks"
  echo
  echo "Written by \`make bench\` ($(date -u +%Y-%m-%d)). Machine: $cpu, $cores cores, $mem;"
  echo "$(go version | cut -d' ' -f3-), $(. /etc/os-release && echo "$PRETTY_NAME")."
  echo
  echo "| benchmark | what it measures |"
  echo "|---|---|"
  echo "| Save/plain, Save/encrypted | one typical entry (text, tags, 28 emotion scores) saved in its own synced transaction; p50/p95 in µs |"
  echo "| OpenListNewest50 | open a 10,000- or 100,000-entry journal and list its newest 50; file bytes per entry |"
  echo "| Unlock | open an encrypted journal: Argon2id as tuned for a new passphrase (target 0.5 s) |"
  echo "| ExportJSON, ImportJSON | a 2,000-entry journal of rich entries (every field, small recordings) to SAMO JSON and back into an empty journal; entries/s |"
  echo "| WordPiece, BPE, BPEUncached | tokenizing a 64-word sentence (BPE with a warm and a cold merge cache) |"
  echo "| Resample_48kTo16k | band-limited resampling of 10 s of audio; seconds of audio per second |"
  echo "| CLI_ListEmpty | \`samo list\` on an empty journal: process start to exit |"
  echo
  echo "\`bin/samo\` size (stripped): $((size / 1024 / 1024)) MiB ($size bytes)."
  echo
  echo '```'
  grep -E '^(goos|goarch|pkg|cpu|Benchmark)' "$out"
  echo '```'
} > BENCHMARKS.md
echo "bench: wrote BENCHMARKS.md"
