#!/usr/bin/env bash
# The libtorch backend on a GPU, end to end:
#   1. sslc built with `--features tch` against this machine's own PyTorch (or `--sslc BIN`);
#   2. bench/crosscheck.py with sslc on the device: byol, flsl and siameseim step by step
#      against their PyTorch twins from the same weights on the same batches;
#   3. recipes at their paper profiles (full network, resolution and crop set) for `--steps`
#      steps at `--batch` images: parameters, images/s, step time, the share of time steps
#      waited for their views, and peak memory (GPU memory through nvidia-smi on a GPU, the
#      process's peak RSS on the CPU);
#   4. a run on the device stopped with SIGINT after a few steps, then resumed from the
#      checkpoint it wrote, runs to its end;
#   5. byol's paper profile across ranks (`--nproc`): NCCL at world size 1 and, on a machine of
#      several GPUs, at its GPU count (gloo at 1 and 2 on the CPU): images/s in all and per
#      device, and the gradient all-reduce's milliseconds a step;
#   6. on a GPU, bench/gpu_yardstick.py's PyTorch step for the same BYOL: eager fp32, eager bf16
#      under autocast, torch.compile in bf16 (images/s, MFU, peak memory).
# `--cpu` runs the same on libtorch's CPU device with a handful of steps at a small batch, for CI
# and for machines without a GPU.
#
#   scripts/gpu-check.sh [--cpu] [--sslc BIN] [--steps N] [--batch B] [--profiles "byol flsl"]
#                        [--precision "fp32 bf16-mixed"] [--views "cpu device"] [--data DIR]
#                        [--out DIR]
#
# `--precision` lists the precisions each profile (step 3) and the ranks (step 5) train in, one
# row each (default "fp32 bf16-mixed" on a GPU, "bf16-mixed" with --cpu). `--views` lists where
# step 3 makes the views (`data.views`), one row each (default "cpu device" on a GPU, "auto"
# with --cpu).
#
# `--data` is a folder of Fashion-MNIST IDX files for the cross-check (default: Debian's
# dataset-fashion-mnist; scripts/cut-fashion-mnist.py makes a small copy to carry). Python with
# torch 2.11 is $PYTHON, else .torch/bin/python, else python3. RUN_TIMEOUT (seconds) bounds each
# profile's run. The summary table goes to stdout and to OUT/summary.txt, each run's log to OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
device=tch:cuda steps=200 batch=64 sslc="" data="" out=gpu-check profiles="byol flsl" precisions="fp32 bf16-mixed"
views="cpu device" cross_epochs=10
while [ $# -gt 0 ]; do
    case "$1" in
        --cpu) device=tch steps=2 batch=4 profiles="byol flsl siameseim univip cyborgs hybrid" cross_epochs=3 precisions=bf16-mixed views=auto ;;
        --sslc) sslc="$2"; shift ;;
        --steps) steps="$2"; shift ;;
        --batch) batch="$2"; shift ;;
        --profiles) profiles="$2"; shift ;;
        --precision) precisions="$2"; shift ;;
        --views) views="$2"; shift ;;
        --data) data="$2"; shift ;;
        --out) out="$2"; shift ;;
        *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
    esac
    shift
done
python="${PYTHON:-}"
[ -n "$python" ] || { [ -x .torch/bin/python ] && python=.torch/bin/python; } || python=python3
torch_lib="$("$python" -c 'import torch, os; print(os.path.join(torch.__path__[0], "lib"))')"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
if [ -z "$sslc" ]; then
    # tch 0.22 names torch 2.9.0; 2.11.0 provides every symbol it uses.
    features=tch
    [ "$device" != tch ] && features=nccl
    LIBTORCH_USE_PYTORCH=1 LIBTORCH_BYPASS_VERSION_CHECK=1 PATH="$(dirname "$python"):$PATH" \
        cargo build --release --features "$features"
    sslc=target/release/sslc
fi
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }
say "gpu-check on $device, $(date -u +%Y-%m-%dT%H:%MZ), sslc $("$sslc" --version)"

# 2. The step-by-step cross-check, sslc on the device.
cross=(--epochs "$cross_epochs" --sslc "$sslc")
[ -n "$data" ] && cross+=(--data-dir "$(cd "$data" && pwd)")
set +e
SSLC_DEVICE="$device" "$python" bench/crosscheck.py "${cross[@]}" >"$out/crosscheck.log" 2>&1
cross_rc=$?
set -e
say "cross-check ($cross_epochs epochs of one step of 128 images): $(grep -h 'largest difference' "$out/crosscheck.log" | tr '\n' ';') exit $cross_rc"

# 3. Paper profiles for a few steps: steps = count / batch × epochs, with one epoch.
peak_gpu() {  # the largest memory.used (MiB) nvidia-smi logged
    sort -n "$1" 2>/dev/null | tail -1
}
say ""
say "profile | precision | views | parameters | steps × batch | img/s | s/step | data wait | peak memory"
say "---|---|---|---|---|---|---|---|---"
failed=0
timer=(env)
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f 'peak rss %M KiB')
for r in $profiles; do
for p in $precisions; do
for v in $views; do
    log="$out/$r-$p-$v.log"
    count=$((steps * batch))
    args=(run "recipes/$r.ssl" --device "$device" --profile "recipes/profiles/$r-paper.yaml"
          --set "data.source.count=$count" --set "data.source.holdout=$((batch > 16 ? batch : 16))"
          --set "data.batch=$batch" --set train.epochs=1 --set train.log_every=10
          --set "train.precision=\"$p\"" --set "data.views=\"$v\"" --out "$out/run-$r")
    mem="$out/$r-$p-$v.mem"
    : >"$mem"
    watcher=""
    if [ "$device" != tch ] && command -v nvidia-smi >/dev/null; then
        nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$mem" 2>/dev/null &
        watcher=$!
    fi
    set +e
    timeout "${RUN_TIMEOUT:-0}" "${timer[@]}" "$sslc" "${args[@]}" >"$log" 2>&1
    rc=$?
    set -e
    [ -n "$watcher" ] && kill "$watcher" 2>/dev/null
    # The checkpoint is not part of the check, and at paper size it is hundreds of MB.
    rm -rf "$out/run-$r"
    if [ $rc -ne 0 ]; then
        say "$r | $p | $v | failed (exit $rc), see $log | | | | |"
        failed=1
        continue
    fi
    params=$(grep -o '[0-9]* trainable parameters' "$log" | head -1 | cut -d' ' -f1)
    trained=$(grep -o 'trained [0-9]* steps in [0-9.]*s ([0-9.]* img/s)' "$log" | head -1)
    n=$(echo "$trained" | awk '{print $2}')
    secs=$(echo "$trained" | awk '{print $5}' | tr -d s)
    rate=$(echo "$trained" | awk '{print $6}' | tr -d '(')
    per=$(awk -v s="$secs" -v n="$n" 'BEGIN { if (n > 0) printf "%.2f", s / n }')
    wait=$(grep -o 'data wait [0-9]*%' "$log" | tail -1 | awk '{print $3}')
    if [ -s "$mem" ]; then
        memory="$(peak_gpu "$mem") MiB GPU"
    elif ! grep -q 'peak rss' "$log"; then
        memory="not measured"
    else
        memory="$(($(grep -o 'peak rss [0-9]*' "$log" | awk '{print $3}') / 1024)) MiB RSS"
    fi
    say "$r | $p | $v | $params | $n × $batch | $rate | $per | ${wait:-?} | $memory"
done
done
done

# 4. Stopped with SIGINT once its fifth step is logged, resumed, run to the end.
resume_dir="$out/resume"
rm -rf "$resume_dir"
args=(run tests/run/tiny_byol.ssl --device "$device" --set train.epochs=30 --out "$resume_dir")
"$sslc" "${args[@]}" >"$out/resume-first.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
    [ -f "$resume_dir/metrics.jsonl" ] && [ "$(wc -l <"$resume_dir/metrics.jsonl")" -ge 5 ] && break
    sleep 0.1
done
kill -INT "$pid" 2>/dev/null || true
set +e
wait "$pid"
first_rc=$?
"$sslc" run --resume "$resume_dir" --device "$device" >"$out/resume-second.log" 2>&1
second_rc=$?
set -e
stopped=$(grep -o 'interrupted after step [0-9]*' "$out/resume-first.log" | awk '{print $4}')
steps_logged=$(grep -c '"loss"' "$resume_dir/metrics.jsonl" 2>/dev/null || echo 0)
say ""
say "resume: first run exit $first_rc after step ${stopped:-?}; resumed run exit $second_rc; $steps_logged of 90 steps in metrics.jsonl"
resumed_ok=0
[ "$first_rc" -eq 130 ] && [ "$second_rc" -eq 0 ] && [ "$steps_logged" -eq 90 ] || resumed_ok=1

# 5. Across ranks: byol's paper profile as 1 rank and as many as the machine has devices.
if [ "$device" != tch ] && command -v nvidia-smi >/dev/null; then
    engine=nccl devices=$(nvidia-smi -L | wc -l)
else
    engine=gloo devices=2
fi
counts="1"
[ "$devices" -gt 1 ] && counts="1 $devices"
say ""
say "ranks | engine | precision | steps × batch | img/s | img/s per rank | all-reduce MB/step | all-reduce ms/step"
say "---|---|---|---|---|---|---|---"
ranks_ok=0
p="${precisions##* }"
for n in $counts; do
    dir="$out/ranks-$n"
    rm -rf "$dir"
    global=$((batch * n))
    args=(run recipes/byol.ssl --device "$device" --profile recipes/profiles/byol-paper.yaml --nproc "$n"
          --set "data.source.count=$((steps * global))" --set "data.source.holdout=16"
          --set "data.batch=$global" --set train.epochs=1 --set train.log_every=10
          --set "train.precision=\"$p\"" --out "$dir")
    set +e
    timeout "${RUN_TIMEOUT:-0}" "$sslc" "${args[@]}" >"$out/ranks-$n.log" 2>&1
    rc=$?
    set -e
    if [ $rc -ne 0 ]; then
        say "$n | $engine | $p | failed (exit $rc), see $out/ranks-$n.log | | | |"
        ranks_ok=1
        continue
    fi
    rate=$(grep -o 'trained [0-9]* steps in [0-9.]*s ([0-9.]* img/s)' "$out/ranks-$n.log" | awk '{print $6}' | tr -d '(')
    comm=$("$python" - "$dir/metrics.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if '"loss"' in l]
steps = lines[1:] or lines
mb = sum(l.get("allreduce_bytes", 0) for l in steps) / len(steps) / 1e6
ms = sum(l.get("allreduce_s", 0) for l in steps) / len(steps) * 1e3
print(f"{mb:.1f} | {ms:.1f}")
PY
)
    per=$(awk -v r="$rate" -v n="$n" 'BEGIN { printf "%.1f", r / n }')
    say "$n | $engine | $p | $steps × $global | $rate | $per | $comm"
    rm -rf "$dir"
done
# 6. On a GPU, PyTorch's own step for the same BYOL beside sslc's: eager fp32, eager bf16 under
#    autocast, and torch.compile in bf16 (bench/gpu_yardstick.py).
if [ "$device" != tch ]; then
    say ""
    # Peak memory as sslc's rows measure it (nvidia-smi: the CUDA context and the caching
    # allocator's whole reserve), then what PyTorch's tensors and its allocator held at most.
    say "PyTorch yardstick | batch | img/s | s/step | MFU | peak memory (nvidia-smi; tensors / reserved)"
    say "---|---|---|---|---|---"
    for mode in "fp32" "bf16" "bf16 --compile"; do
        mem="$out/yardstick-${mode// /}.mem"
        : >"$mem"
        nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$mem" 2>/dev/null &
        watcher=$!
        set +e
        read -r -a extra <<<"--precision $mode"
        line=$(timeout "${RUN_TIMEOUT:-0}" "$python" bench/gpu_yardstick.py --batch "$batch" "${extra[@]}" 2>>"$out/yardstick.log" | tail -1)
        set -e
        kill "$watcher" 2>/dev/null || true
        figures=$("$python" -c 'import json, sys
r = json.loads(sys.argv[1])
print("{} | {:.1f} | {:.3f} | {:.1f}% | {} MiB GPU ({:.0f} / {:.0f} MiB)".format(
    r["batch"], r["images_per_s"], r["s_per_step"], 100 * r["mfu"], sys.argv[2] or "?",
    r["peak_mib"], r["reserved_mib"]))' "$line" "$(peak_gpu "$mem")" 2>/dev/null || echo "failed, see $out/yardstick.log | | | |")
        say "eager ${mode/--compile/compiled} | $figures"
    done
fi
[ $cross_rc -eq 0 ] && [ $failed -eq 0 ] && [ $resumed_ok -eq 0 ] && [ $ranks_ok -eq 0 ]
