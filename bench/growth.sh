#!/usr/bin/env bash
# How the whole system grows: kvm-2021 under SC and TSO, each budget (-k CPU injectors, -j IOMMU
# posters, --halts, --preemptions, --migrations) raised from 1 to 3 with the others at 1 (one post
# each, one guest exit), the full graph (--no-por --no-symmetry), or with REDUCE=1 the graph pilab
# check explores by default (stubborn sets and chains; symmetry has nothing to do: each poster posts its own
# vector). Each row: states, transitions, depth, search time, the process's peak RSS and the store's
# own bytes a state, and what crossed between the workers (messages per state, bytes per message).
#
#   bench/growth.sh                 every row, 60 s at most each (CAP), 2 workers (WORKERS), plain store
#   STORE=compact bench/growth.sh   the same with the compact store
#   REDUCE=1 bench/growth.sh        the same with the reductions on (pilab check's default)
#   bench/growth.sh 2 2 2 1 1       one configuration: k j h p m
#
# A row that reaches the cap is stopped by SIGINT at the end of a round and shows the states so
# far, marked ">"; one that reaches MAXMEM (default 6000 MiB) shows "bound". Timings on a shared
# machine are noisy: compare rows of one run.
set -euo pipefail
source "$(dirname "$0")/lib/table.sh"
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cap=${CAP:-60}
maxmem=${MAXMEM:-6000}
workers=${WORKERS:-2}
store=${STORE:-plain}
if [ "${REDUCE:-0}" = 1 ]; then reductions=(); graph="reductions on (POR and chains)"; else reductions=(--no-por --no-symmetry); graph="full graph"; fi

dotnet build src/Pilab.Cli -c Release -v q -nologo >/dev/null
pilab=src/Pilab.Cli/bin/Release/net10.0/pilab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One check (memory model, k, j, h, p, m): "states|transitions|depth|seconds|rss_mib|bytes/state|messages/state|message_bytes|verdict"
measure() {
  local mm=$1
  /usr/bin/time -f "%M" -o "$work/rss" timeout -s INT "$cap" \
    $pilab check kvm-2021 --mm "$mm" -k "$2" --iommu "$3" -n 1 -e 1 --halts "$4" --preemptions "$5" --migrations "$6" \
    -w "$workers" --store "$store" --max-memory "$maxmem" "${reductions[@]}" --json -q >"$work/out" 2>/dev/null || true
  python3 - "$work/out" "$(tail -1 "$work/rss")" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    print("pilab gave no result (see pilab check with these options)|||||||")
    sys.exit(0)
rss = int(sys.argv[2]) / 1024
b = d.get("bound") or ""
mark = ">" if b.startswith("interrupted") else ("bound " if b else "")
s, t = d["states"], d["transitions"]
print(f'{mark}{s:,}|{t:,}|{d["maxDepth"]}|{d["seconds"]:.1f}|{rss:,.0f}|{d["bytesPerState"]:.1f}|{d["remoteMessages"] / max(s, 1):.2f}|{d["messageBytes"]}|{d["verdict"]}')
PY
}

echo "kvm-2021, $graph, $workers workers, $store store, cap ${CAP:-60} s, --max-memory $maxmem" >&2
header="memory model|budgets (k j h p m; others 1)|states|transitions|depth|s|peak RSS MiB|store bytes/state|remote messages/state|bytes/message|verdict"
rows=()
names=(k j h p m)
if [ $# -gt 0 ]; then
  for mm in sc tso; do rows+=("$mm|k=$1 j=$2 h=$3 p=$4 m=$5|$(measure "$mm" "$@")"); done
else
  for mm in sc tso; do
    rows+=("$mm|all 1|$(measure "$mm" 1 1 1 1 1)"); echo "done: $mm all 1" >&2
    for i in 0 1 2 3 4; do
      for v in 2 3; do
        b=(1 1 1 1 1); b[$i]=$v
        label="${names[$i]}=$v"
        # The thread moves only when loaded again after a preemption or a sleep: m=3 needs p+h >= 3.
        if [ $i = 4 ] && [ $v = 3 ]; then b[3]=2; label="m=3 p=2"; fi
        rows+=("$mm|$label|$(measure "$mm" "${b[@]}")"); echo "done: $mm $label" >&2
      done
    done
  done
fi
{ echo "$header"; printf '%s\n' "${rows[@]}"; } | table
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
