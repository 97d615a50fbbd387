#!/usr/bin/env bash
# pilab against SPIN on pilab's own Promela export (pilab export --promela), same configurations,
# without and with reductions on both sides, one table at the end: the vCPU-entry model (sections
# 2-6) and the whole system (kvm-2021 with halts, preemptions, migrations and IOMMU posters;
# SystemPromelaExporter). Without reductions both store the same states.
#
#   bench/vs-spin.sh            all configurations (the largest take SPIN a minute or more each)
#   bench/vs-spin.sh --quick    only the small ones
#   PILAB=dist/pilab bench/vs-spin.sh    a given pilab binary (default: build src/Pilab.Cli and run that)
#
# Both tools are held to MAXMEM MiB (default 6000: pilab --max-memory, pan -DMEMLIM).
#
# Times are search times as each tool reports them (pilab: the exploration, after start-up;
# SPIN: pan's "elapsed time", after spin -a and gcc). "none" = pilab --no-por --no-symmetry and
# pan compiled with -DNOREDUCE; "both" = pilab's stubborn sets, chains and symmetry (pilab then stores only the states where its reduced graph branches or ends), pan's partial-order
# reduction (SPIN has no symmetry reduction of its own). pilab runs one worker unless the row says
# -w 2; the last rows compare two workers with one, and what the machine gives two independent
# searches.
set -euo pipefail
source "$(dirname "$0")/lib/table.sh"
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v spin >/dev/null || { echo "vs-spin: spin is not installed (apt-get install spin)" >&2; exit 2; }
command -v gcc >/dev/null || { echo "vs-spin: gcc is not installed (apt-get install gcc)" >&2; exit 2; }

# PILAB=path runs a pilab already built or published (a native one: README, "A single native binary");
# else the framework-dependent build is made and run.
if [ -n "${PILAB:-}" ]; then
  pilab=$PILAB
  [ -x "$pilab" ] || { echo "vs-spin: PILAB=$pilab is not an executable" >&2; exit 2; }
else
  dotnet build src/Pilab.Cli -c Release -v q -nologo >/dev/null
  pilab=src/Pilab.Cli/bin/Release/net10.0/pilab
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

maxmem=${MAXMEM:-6000}
configs=(
  "fixed --mm sc -k 2 -n 2 -e 1"
  "fixed --mm tso -k 3 -n 1 -e 2"
  "fixed --mm tso -k 3 -n 2 -e 1 --same-vector"
  "prepatch --mm tso -k 2 -n 3 -e 2"
  "kvm-2021 --mm sc -k 1 --iommu 1 --halts 1 --preemptions 1 --migrations 1"
  "kvm-2021 --mm tso -k 1 --iommu 1 -e 1 --halts 1 --preemptions 1 --migrations 1"
)
big="fixed --mm tso -k 3 -n 2 -e 2"
# The whole system's largest row: two workers are compared with one on it too.
wbig="kvm-2021 --mm tso -k 1 --iommu 2 -e 1 --halts 1 --preemptions 1 --migrations 1"
[ "${1:-}" = "--quick" ] || configs+=("$big" "kvm-2021 --mm sc -k 1 --iommu 2 -e 1 --halts 2 --preemptions 1 --migrations 1" "$wbig")

# pilab: "... (51,258,161 states, ... depth 110, 57.599 s, ..." -> "states seconds"
run_pilab() {
  local out
  out=$($pilab check $1 $2 --max-memory "$maxmem" -q || true)
  echo "$out" | head -1 | sed -E 's/.*\(([0-9,]+) states,.* ([0-9.]+) s[,)].*/\1 \2/; s/,//g'
}

# SPIN: export, compile, run pan; -> "states seconds"
run_spin() {
  local cfg=$1 defines=$2
  $pilab export --promela $cfg -o "$work/model.pml"
  (cd "$work" && spin -a model.pml >/dev/null && gcc -O2 -DSAFETY $defines -DMEMLIM="$maxmem" -o pan pan.c 2>/dev/null)
  local out
  out=$(cd "$work" && ./pan -m10000000 -w27 2>&1 || true)
  if ! echo "$out" | grep -q "errors: 0"; then
    echo "vs-spin: SPIN found errors or failed on $cfg ($defines); pan said:" >&2
    echo "$out" | tail -5 >&2
  fi
  local states secs
  states=$(echo "$out" | sed -nE 's/^ *([0-9]+) states, stored.*/\1/p' | head -1)
  secs=$(echo "$out" | sed -nE 's/^pan: elapsed time ([0-9.e+]+) seconds/\1/p' | head -1)
  echo "$states $secs"
}

rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

rows=()
for cfg in "${configs[@]}"; do
  for red in none both; do
    if [ $red = none ]; then popt="-w 1 --no-por --no-symmetry"; sdef="-DNOREDUCE"; else popt="-w 1"; sdef=""; fi
    read -r ps pt < <(run_pilab "$cfg" "$popt")
    read -r ss st < <(run_spin "$cfg" "$sdef")
    rows+=("$cfg|$red|$ps|$ss|$pt|$st|$(rate "$ps" "$pt")|$(rate "$ss" "$st")|$(ratio "$pt" "$st")")
    echo "done: $cfg, reductions $red" >&2
  done
done

# Two workers against one (pilab only; the ratio column is then pilab -w 2 time / pilab -w 1 time).
# Each is the best of three runs, taken in turn (-w 1, -w 2, -w 1, ...), so a burst of load from
# elsewhere on the machine does not decide the ratio. The last row is the machine's own ceiling for
# this work: two one-worker searches run at once, as separate processes sharing nothing but the
# hardware. Two workers can at best do two searches' work in the time the slower of them took, so
# the ratio column there is (that time) / (2 x one search alone): the best -w 2 / -w 1 this
# machine allows.
best() { printf '%s\n' "$@" | sort -g | head -1; }
if [ "${1:-}" = "--quick" ]; then wcfgs=("${configs[3]}" "${configs[-1]}"); else wcfgs=("$big" "$wbig"); fi
for wcfg in "${wcfgs[@]}"; do
for red in none both; do
  if [ $red = none ]; then popt="--no-por --no-symmetry"; else popt=""; fi
  t1s=(); t2s=()
  for _ in 1 2 3; do
    read -r s1 t < <(run_pilab "$wcfg" "-w 1 $popt"); t1s+=("$t")
    read -r s2 t < <(run_pilab "$wcfg" "-w 2 $popt"); t2s+=("$t")
  done
  t1=$(best "${t1s[@]}"); t2=$(best "${t2s[@]}")
  rows+=("$wcfg|$red, -w 2 vs -w 1 (best of 3)|$s2|$s1 (-w 1)|$t2|$t1 (-w 1)|$(rate "$s2" "$t2")|$(rate "$s1" "$t1") (-w 1)|$(ratio "$t2" "$t1")")
  echo "done: workers, reductions $red" >&2
done
done
run_pilab "$wcfg" "-w 1" >"$work/a" & run_pilab "$wcfg" "-w 1" >"$work/b" & wait
read -r s1 ta <"$work/a"; read -r _ tb <"$work/b"
pair=$(printf '%s\n' "$ta" "$tb" | sort -g | tail -1)
read -r _ t1 < <(run_pilab "$wcfg" "-w 1")
rows+=("$wcfg|both, ceiling: two -w 1 at once|$s1 x2|$s1 (-w 1 alone)|$pair (slower of the two)|$t1 (alone)|-|-|$(awk -v p="$pair" -v t="$t1" 'BEGIN { printf "%.2f", p / (2 * t) }')")
echo "done: ceiling" >&2

{
  echo "configuration|reductions|pilab states|SPIN states|pilab s|SPIN s|pilab states/s|SPIN states/s|pilab/SPIN time"
  printf '%s\n' "${rows[@]}"
} | table
echo
echo "pilab: $pilab"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); spin $(spin -V | sed -E 's/Spin Version ([^ ]+).*/\1/'), $(gcc --version | head -1)"
