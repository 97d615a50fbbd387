#!/usr/bin/env bash
# pilab live on a quiet machine, in at most about 150 s of wall time:
#   1. pilab live --calibrate (round trip, store-buffering litmus at --jitter $JITTER), pinned;
#   2. fixed's post-to-handler latency, three runs of
#      pilab live fixed --calibrate --rate 50000 --exit-rate 0 --seconds 5, the best p50 of the three,
#      with its p99 and p99.9 and the ratio of p50 to the round trip calibrated in the same run;
#   3. one aligned run of each entry built-in,
#      pilab live <variant> --aligned --jitter $JITTER --seconds $ALIGNED_SECONDS --calibrate
#      (the store-buffering litmus of the same run, at the same jitter, next to fixed-nomb's rate);
# then one summary table on stdout. Needs only bash, grep, sed, awk and the binary.
#
#   PILAB=/path/to/pilab bench/live-device.sh
#   OUT=/some/dir PILAB=... bench/live-device.sh      # also keeps every --json output in $OUT
#
# $PILAB: a published pilab, e.g. Native AOT:
#   dotnet publish src/Pilab.Cli -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=clang-14
#   PILAB=src/Pilab.Cli/bin/Release/net10.0/linux-x64/publish/pilab
# Budget: calibrate ~2 s, latency 3 x ~6 s, aligned 5 x (ALIGNED_SECONDS + ~2 s) on a quiet machine; each
# command is cut (SIGTERM: pilab prints the figures so far) at twice its length or when $BUDGET seconds
# (default 140; a command cut by SIGTERM gets 5 s more to print) are spent, whichever comes first, so the whole never runs past the budget.
# On a loaded machine pinned threads wait for their CPUs: the calibration alone can take 10-20 s.
set -u
PILAB=${PILAB:?set PILAB to a published pilab binary}
JITTER=${JITTER:-300}
ALIGNED_SECONDS=${ALIGNED_SECONDS:-12}
LATENCY_SECONDS=${LATENCY_SECONDS:-5}
[ -x "$PILAB" ] || { echo "live-device.sh: $PILAB is not an executable" >&2; exit 2; }
BUDGET=${BUDGET:-140}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

# cap SECONDS: SECONDS, or what is left of the budget if less (at least 1)
cap() { local left=$((BUDGET - ($(date +%s) - start))); [ "$left" -lt "$1" ] && echo $((left > 1 ? left : 1)) || echo "$1"; }
# jget FILE KEY: the first "KEY": value in pilab's indented JSON (strings without their quotes)
jget() { grep -m1 "\"$2\":" "$1" | sed -e 's/^[^:]*: *//' -e 's/,$//' -e 's/^"//' -e 's/"$//'; }
keep() { [ -n "${OUT:-}" ] && cp "$1" "$OUT/$2"; }
[ -n "${OUT:-}" ] && mkdir -p "$OUT"

echo "pilab live on $(hostname): $(nproc) CPUs allowed, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)"
echo "$("$PILAB" --version 2>/dev/null | head -1); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# 1. calibration alone
timeout -k 5 "$(cap 30)" "$PILAB" live --calibrate --jitter "$JITTER" --json > "$work/calibrate.json"
rc=$?
if [ $rc -ne 0 ]; then echo "live --calibrate failed (exit $rc)" >&2; exit 1; fi
keep "$work/calibrate.json" calibrate.json
rt=$(jget "$work/calibrate.json" roundTripNs)
lr=$(jget "$work/calibrate.json" litmusRounds)
lo=$(jget "$work/calibrate.json" litmusReorders)
pin=$(jget "$work/calibrate.json" pinning)

# 2. fixed's latency, best p50 of three
best=""
for i in 1 2 3; do
    f="$work/latency-$i.json"
    timeout -k 5 "$(cap $((LATENCY_SECONDS * 2 + 5)))" "$PILAB" live fixed --calibrate --rate 50000 --exit-rate 0 --seconds "$LATENCY_SECONDS" --json > "$f"
    rc=$?
    keep "$f" "latency-fixed-$i.json"
    if [ $rc -ne 0 ]; then echo "latency run $i: exit $rc" >&2; continue; fi
    p50=$(jget "$f" p50)
    if [ -z "$best" ] || awk -v a="$p50" -v b="$(jget "$best" p50)" 'BEGIN { exit !(a < b) }'; then best=$f; fi
done

# 3. one aligned run of each entry built-in
for v in prepatch patch-v1 irq-late fixed fixed-nomb; do
    timeout -k 5 "$(cap $((ALIGNED_SECONDS * 2 + 5)))" "$PILAB" live "$v" --aligned --jitter "$JITTER" --seconds "$ALIGNED_SECONDS" --calibrate --json > "$work/aligned-$v.json"
    rc=$?
    echo "$rc" > "$work/aligned-$v.rc"
    keep "$work/aligned-$v.json" "aligned-$v.json"
done

echo "calibration: cross-core round trip $rt ns (median batch); store-buffering litmus at jitter $JITTER: $lo reorders in $lr rounds; $pin"
echo
if [ -n "$best" ]; then
    l50=$(jget "$best" p50); l99=$(jget "$best" p99); l999=$(jget "$best" p999); lrt=$(jget "$best" roundTripNs)
    echo "fixed, post -> guest handler (pilab live fixed --calibrate --rate 50000 --exit-rate 0 --seconds $LATENCY_SECONDS; best p50 of 3):"
    awk -v a="$l50" -v b="$l99" -v c="$l999" -v r="$lrt" 'BEGIN { printf "  p50 %.0f ns  p99 %.0f ns  p99.9 %.0f ns  round trip (same run) %.1f ns  p50 = %.2f x the round trip (target: 3)\n", a, b, c, r, a / r }'
else
    echo "fixed latency: no run completed"
fi
echo
echo "aligned runs: pilab live <variant> --aligned --jitter $JITTER --seconds $ALIGNED_SECONDS --calibrate"
printf '%-11s %-9s %-26s %12s %10s %14s %18s  %s\n' variant exit "checker TSO / SC" rounds rounds/s "strands/1e6" "litmus/1e6 (run)" "first strand's state"
for v in prepatch patch-v1 irq-late fixed fixed-nomb; do
    f="$work/aligned-$v.json"
    rc=$(cat "$work/aligned-$v.rc")
    if ! grep -q '"aligned": {' "$f" 2>/dev/null; then printf '%-11s %-9s (no result)\n' "$v" "$rc"; continue; fi
    tso=$(jget "$f" checkerTso); sc=$(jget "$f" checkerSc)
    rounds=$(sed -n '/"aligned": {/,/}/p' "$f" | grep -m1 '"rounds":' | sed -e 's/.*: *//' -e 's/,$//')
    rps=$(jget "$f" roundsPerSecond); spm=$(jget "$f" strandsPerMillionRounds)
    lit=$(jget "$f" litmusReordersPerMillion)
    state=$(grep -m1 '"state":' "$f" | sed -e 's/.*"state": *"//' -e 's/",\{0,1\}$//')
    printf '%-11s %-9s %-26s %12s %10.0f %14.1f %18.1f  %s\n' "$v" "$rc" "$tso / $sc" "$rounds" "$rps" "$spm" "${lit:-0}" "${state:--}"
done
echo
echo "exit: 0 nothing lost, 1 an interrupt stranded (expected for patch-v1, irq-late, and fixed-nomb where this CPU shows it); $(( $(date +%s) - start )) s in all"
