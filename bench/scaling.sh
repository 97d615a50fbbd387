#!/usr/bin/env bash
# How the partitioned engine scales with workers: the same search with 1, 2, 4, ... workers (up to
# the machine's cores), each the best of RUNS runs (default 3) taken in turn, and the machine's own
# ceiling for W workers: W one-worker searches run at once as separate processes (their slowest
# time against one search alone; CEIL=0 leaves it out). Full graph (--no-por --no-symmetry) unless REDUCE=1.
# Each row also gives the process's CPU time (user + sys, best of the runs) against one worker's: the
# work the parallel path adds, which shows even on a loaded machine where the wall times do not.
# PHASES=1 prints, after each row, where the last run's time went (the engine's PILAB_PHASES=1: CPU
# time per worker in the expand and insert phases and at the barriers, and the critical path).
#
#   bench/scaling.sh                      the whole system's rows of bench/vs-spin.sh and the issue's row
#   bench/scaling.sh "fixed --mm tso -k 3 -n 2 -e 2"   one configuration
#
# PILAB=path runs that pilab (e.g. a Native AOT build); otherwise it is built here. WORKERS="1 2 16"
# takes those worker counts instead of 1, 2, 4, ... up to the cores (the first is the baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PILAB:-}" ]; then pilab=$PILAB; else
  dotnet build src/Pilab.Cli -c Release -v q -nologo >/dev/null
  pilab=src/Pilab.Cli/bin/Release/net10.0/pilab
fi
runs=${RUNS:-3}
maxmem=${MAXMEM:-20000}
red="--no-por --no-symmetry"; [ "${REDUCE:-0}" = 1 ] && red=""
if [ $# -gt 0 ]; then configs=("$@"); else configs=(
  "kvm-2021 --mm tso -k 1 --iommu 2 -e 1 --halts 1 --preemptions 1 --migrations 1"
  "kvm-2021 --mm sc -k 1 --iommu 2 -e 1 --halts 2 --preemptions 1 --migrations 1"
  "kvm-2021 --mm tso -k 2 --iommu 2 -e 1 --halts 2 --preemptions 1 --migrations 1"
); fi
cores=$(nproc)
ws=(); w=1; while [ $w -le "$cores" ]; do ws+=("$w"); w=$((w * 2)); done
[ "${ws[-1]}" = "$cores" ] || ws+=("$cores")
if [ -n "${WORKERS:-}" ]; then read -r -a ws <<<"$WORKERS"; fi

scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
# one CFG W [FILE]: "... (158,150 states, ... 0.143 s, ..." -> "states seconds cpu-seconds"; with PHASES=1
# the engine's phase times go to FILE.
one() {
  local TIMEFORMAT='%U %S' d; d=$(mktemp -d -p "$scratch")
  { time PILAB_PHASES=${PHASES:-0} $pilab check $1 $red -w "$2" --max-memory "$maxmem" -q >"$d/out" 2>"$d/phases"; } 2>"$d/time"
  echo "$(head -1 "$d/out" | sed -E 's/.*\(([0-9,]+) states,.* ([0-9.]+) s[,)].*/\1 \2/; s/,//g') $(awk '{ print $1 + $2 }' "$d/time")"
  grep -v -e '^phases:' -e '^  worker' "$d/phases" >&2 || true # an error, if any
  if [ -n "${3:-}" ]; then cp "$d/phases" "$3"; fi
  rm -rf "$d"
}
best() { printf '%s\n' "$@" | sort -g | head -1; }

printf '%-82s %7s %13s %9s %8s %10s %9s %8s\n' configuration workers states "s (best)" speedup efficiency "cpu s" "cpu/1w"
for cfg in "${configs[@]}"; do
  declare -A t=() c=()
  for _ in $(seq "$runs"); do
    for w in "${ws[@]}"; do
      read -r s x u < <(one "$cfg" "$w" "$scratch/phases-$w"); t[$w]="${t[$w]:-} $x"; c[$w]="${c[$w]:-} $u"; states=$s
    done
  done
  t1=$(best ${t[1]}); c1=$(best ${c[1]})
  for w in "${ws[@]}"; do
    tw=$(best ${t[$w]}); cw=$(best ${c[$w]})
    printf '%-82s %7s %13s %9s %8s %10s %9s %8s\n' "$cfg" "$w" "$states" "$tw" \
      "$(awk -v a="$t1" -v b="$tw" 'BEGIN { printf "%.2fx", a / b }')" \
      "$(awk -v a="$t1" -v b="$tw" -v w="$w" 'BEGIN { printf "%.0f%%", 100 * a / b / w }')" \
      "$cw" "$(awk -v a="$cw" -v b="$c1" 'BEGIN { printf "%.2f", a / b }')"
    if [ -s "$scratch/phases-$w" ]; then sed 's/^/    /' "$scratch/phases-$w"; fi
  done
  # The ceiling: W independent one-worker searches at once; the slowest against one alone.
  [ "${CEIL:-1}" = 1 ] || { unset t c; continue; }
  for w in $(printf '%s\n' 2 "${ws[-1]}" | sort -nu); do
    tmp=$(mktemp -d)
    for i in $(seq "$w"); do one "$cfg" 1 >"$tmp/$i" & done; wait
    slow=$(cat "$tmp"/* | awk '{ print $2 }' | sort -g | tail -1); rm -rf "$tmp"
    printf '%-82s %7s %13s %9s %8s %10s\n' "$cfg" "${w}x1" "$states" "$slow" "ceiling" \
      "$(awk -v a="$t1" -v b="$slow" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
  done
  unset t c
done
echo "machine: $cores cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
