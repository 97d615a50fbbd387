#!/usr/bin/env bash
# Bytes a state: the exact stores and hash compaction on the largest configurations of
# bench/vs-spin.sh and the 67.6-million-state whole-system one, one worker, the full graph, one run.
# Each row: states, search time, user CPU seconds, the store's own accounting at the end
# (bytesPerState: tables at their real load, root pairs, parent links, labels, mailboxes, keys and
# ranks) and the process's peak RSS (/usr/bin/time, the runtime's ~36 MiB included).
#
#   bench/bytes.sh                          every configuration, --store plain, --store compact, --hash-compact
#   BEFORE=/path/to/old/pilab bench/bytes.sh   also the compact store of an older build, same run ("compact (before)")
#   STORES="compact" bench/bytes.sh 0       only the compact store, only the first configuration (0, 1, 2)
#
# The largest row takes the compact store 5-10 minutes on two shared cores. Timings on a shared
# machine are noisy: read the bytes as exact and compare times of one run.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
maxmem=${MAXMEM:-6000}
stores=${STORES:-plain compact hash}

dotnet build src/Pilab.Cli -c Release -v q -nologo >/dev/null
pilab=src/Pilab.Cli/bin/Release/net10.0/pilab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

configs=(
  "fixed --mm tso -k 3 -n 2 -e 2"
  "kvm-2021 --mm tso -k 1 --iommu 2 -e 1 --halts 1 --preemptions 1 --migrations 1"
  "kvm-2021 --mm tso -k 2 --iommu 2 -e 1 --halts 2 --preemptions 1 --migrations 1"
)
[ $# -gt 0 ] && configs=("${configs[$1]}")

# One check: binary, store options, configuration -> a table row.
row() {
  local bin=$1 name=$2 opts=$3 cfg=$4
  # shellcheck disable=SC2086
  /usr/bin/time -f "%M %U" -o "$work/time" $bin check $cfg --no-por --no-symmetry -w 1 --max-memory "$maxmem" $opts --json -q \
    >"$work/out" 2>/dev/null || true
  python3 - "$work/out" "$(tail -1 "$work/time")" "$cfg" "$name" <<'PY'
import json, sys
rss, user = sys.argv[2].split()
cfg, name = sys.argv[3], sys.argv[4]
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    print(f"| `{cfg}` | {name} | no result | | | | | |")
    sys.exit(0)
rss_mib = int(rss) / 1024
less = (int(rss) * 1024 - 36 * 2**20) / d["states"]
print(f"| `{cfg}` | {name} | {d['states']:,} | {d['seconds']:.1f} | {float(user):.1f} | {d['bytesPerState']:.1f} | {rss_mib:,.0f} | {less:.1f} | {d['verdict']} |")
PY
}

echo "| configuration | store | states | s | user s | store bytes/state | peak RSS MiB | RSS less 36 MiB, bytes/state | verdict |"
echo "|---|---|--:|--:|--:|--:|--:|--:|---|"
for cfg in "${configs[@]}"; do
  for s in $stores; do
    case $s in
      plain) row "$pilab" '`--store plain`' "--store plain" "$cfg" ;;
      compact)
        [ -n "${BEFORE:-}" ] && row "$BEFORE" '`--store compact` (before)' "--store compact" "$cfg"
        row "$pilab" '`--store compact`' "--store compact" "$cfg" ;;
      hash) row "$pilab" '`--hash-compact`' "--hash-compact" "$cfg" ;;
    esac
  done
done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
