#!/usr/bin/env bash
# The lean step on libtorch's CPU device: each recipe's tiny network at batch 2, where an
# operator costs microseconds and the framework's own work per operator shows, as a kernel
# launch does on a GPU. For sslc (`--device tch`) and its PyTorch twin, on the same
# Fashion-MNIST images: training images/s (median of REPEAT alternate runs) and the ATen
# operators of one step (forward, loss, backward, optimiser, EMA), counted by libtorch's own
# observer for sslc (`sslc run --count-ops`) and by torch.profiler for the twin: all of them,
# and those that compute (without views, which move no data and launch nothing on a GPU, such
# as `view`, `slice`, `transpose`, and without wrappers that only call another counted
# operator, such as `matmul`, `linear`, `to`); and each process's peak RSS (the last run's).
#
#   bench/lean.sh                          # byol flsl siameseim, 400 images (200 steps), REPEAT=3
#   REPEAT=5 RECIPES=byol THREADS=2 bench/lean.sh
#
# At batch 2 one thread is the faster for both (libtorch's intra-op threads only wait on
# operators this small), so THREADS defaults to 1: OMP_NUM_THREADS for sslc, --threads for the
# twin.
#
# Needs scripts/install-data.sh, scripts/setup-torch.sh and a `--features tch` build in SSLC.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-400}
BATCH=${BATCH:-2}
REPEAT=${REPEAT:-3}
STEP=${STEP:-10}
THREADS=${THREADS:-1}
RECIPES=${RECIPES:-"byol flsl siameseim"}
SSLC=${SSLC:-target/release/sslc}
out=target/bench/lean
mkdir -p "$out"

size_of() { grep -o 'random_resized_crop(size: [0-9]*' "recipes/$1.ssl" | head -1 | grep -o '[0-9]*$'; }

# "all computing" operators of an ops.json.
ops_of() {
    .torch/bin/python - "$1" <<'PY'
import json, sys
views = {"view", "reshape", "_reshape_alias", "as_strided", "slice", "narrow", "transpose", "t",
         "expand", "expand_as", "unsqueeze", "squeeze", "permute", "detach", "alias", "select",
         "_unsafe_view", "broadcast_to", "resolve_conj", "resolve_neg", "lift_fresh", "split",
         "chunk", "unbind", "view_as", "flatten", "contiguous", "matmul", "linear", "to",
         "result_type"}
ops = json.load(open(sys.argv[1]))["ops"]
computing = sum(n for k, n in ops.items() if k.removeprefix("aten::") not in views)
print(f"{sum(ops.values())}/{computing}")
PY
}

# Prints "img/s operators peak-RSS-MiB" for one run of sslc or the twin.
run_sslc() {
    local recipe=$1 dir="$out/$1-sslc"
    rm -rf "$dir"
    OMP_NUM_THREADS=$THREADS /usr/bin/time -f %M -o "$dir.rss" scripts/with-torch.sh "$SSLC" run "recipes/$recipe.ssl" --device tch \
        --set "data.source=fashion_mnist(size: $(size_of "$recipe"), count: $COUNT, holdout: 16)" \
        --set "data.batch=$BATCH" --set train.epochs=1 --set train.log_every=50 \
        --count-ops "$STEP" --out "$dir" >"$dir.out" 2>"$dir.err"
    local rate ops
    rate=$(grep -o '([0-9.]* img/s); final' "$dir.err" | grep -o '[0-9.]*' | head -1)
    ops=$(ops_of "$dir/ops.json")
    echo "$rate $ops $(($(tail -1 "$dir.rss") / 1024))"
}
run_twin() {
    local recipe=$1 log="$out/$1-twin"
    /usr/bin/time -f %M -o "$log.rss" .torch/bin/python "bench/$recipe.py" --count "$COUNT" --holdout 16 --probe-images 16 \
        --size "$(size_of "$recipe")" --epochs 1 --batch "$BATCH" --threads "$THREADS" --log-every 50 \
        --count-ops "$STEP" --ops-json "$log.ops.json" >"$log.out" 2>"$log.err"
    .torch/bin/python - "$log.out" <<'PY' | tr '\n' ' '
import json, sys
print(f"{json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])['images_per_s']:.1f}")
PY
    echo "$(ops_of "$log.ops.json") $(($(tail -1 "$log.rss") / 1024))"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '| recipe (batch %s) | sslc img/s | PyTorch img/s | sslc × PyTorch step time | sslc ops/step (all/computing) | PyTorch ops/step | peak RSS MiB, sslc / PyTorch |\n' "$BATCH"
printf '|---|---|---|---|---|---|---|\n'
for recipe in $RECIPES; do
    s_rates=() t_rates=() s_ops=0 t_ops=0 s_rss=0 t_rss=0
    for _ in $(seq "$REPEAT"); do
        read -r r o m < <(run_sslc "$recipe"); s_rates+=("$r"); s_ops=$o; s_rss=$m
        read -r r o m < <(run_twin "$recipe"); t_rates+=("$r"); t_ops=$o; t_rss=$m
    done
    s=$(printf '%s\n' "${s_rates[@]}" | median)
    t=$(printf '%s\n' "${t_rates[@]}" | median)
    ratio=$(awk -v s="$s" -v t="$t" 'BEGIN { printf "%.2f", t / s }')
    printf '| %s | %s (%s) | %s (%s) | %s | %s | %s | %s / %s |\n' "$recipe" "$s" "$(IFS=,; echo "${s_rates[*]}")" \
        "$t" "$(IFS=,; echo "${t_rates[*]}")" "$ratio" "$s_ops" "$t_ops" "$s_rss" "$t_rss"
done
