#!/usr/bin/env bash
# The PyTorch yardstick: trains each recipe with sslc (flex and libtorch backends) and with its
# PyTorch twin in bench/ on the same Fashion-MNIST budget and seed, and prints one table:
# kNN probe (untrained → trained), training images/s, peak memory.
#
# The twin draws sslc's own epoch order, views and masks, and starts from the initial weights of
# one sslc backend (INIT: tch, flex or none for torch's own draws; default tch when it runs,
# else flex), so the twin and that backend train on the same batches from the same start and
# what separates their probes is the implementations, not the random draws. flex and tch draw
# their initial weights from different generators.
#
#   bench/compare.sh                       # byol flsl siameseim, 4096 images, 2 epochs
#   COUNT=8192 EPOCHS=4 RECIPES="byol" bench/compare.sh
#   REPEAT=5 RECIPES=byol BACKENDS="tch pytorch" bench/compare.sh
#
# This machine's speed drifts from one minute to the next; with REPEAT=n each recipe's backends
# run n times in turn (a, b, c, a, b, c, ...) and the table gives the median run's images/s and
# seconds, the range of images/s, and the highest peak. The last column divides each median by
# PyTorch's when it runs.
#
# Needs scripts/install-data.sh (Fashion-MNIST) and scripts/setup-torch.sh (PyTorch in .torch/).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-4096}
HOLDOUT=${HOLDOUT:-1024}
EPOCHS=${EPOCHS:-2}
SEED=${SEED:-0}
REPEAT=${REPEAT:-1}
THREADS=${THREADS:-2}
RECIPES=${RECIPES:-"byol flsl siameseim"}
BACKENDS=${BACKENDS:-"flex tch pytorch"}
if [[ " $BACKENDS " == *" tch "* ]]; then INIT=${INIT:-tch}; elif [[ " $BACKENDS " == *" flex "* ]]; then INIT=${INIT:-flex}; else INIT=${INIT:-none}; fi
out=target/bench
mkdir -p "$out"

if [[ " $BACKENDS " == *" flex "* ]]; then
    cargo build --release --quiet
    cp target/release/sslc "$out/sslc-flex"
fi
if [[ " $BACKENDS " == *" tch "* ]]; then
    scripts/with-torch.sh cargo build --release --quiet --features tch
    cp target/release/sslc "$out/sslc-tch"
fi

# The recipe's image size, read from its first crop.
size_of() { grep -o 'random_resized_crop(size: [0-9]*' "recipes/$1.ssl" | head -1 | grep -o '[0-9]*$'; }

# sslc: prints "untrained trained img/s peak-MiB seconds".
run_sslc() {
    local backend=$1 recipe=$2 size
    size=$(size_of "$recipe")
    local log="$out/$recipe-$backend" wrap=()
    [ "$backend" = tch ] && wrap=(scripts/with-torch.sh)
    /usr/bin/time -f '%M' -o "$log.mem" "${wrap[@]}" env OMP_NUM_THREADS="$THREADS" \
        RAYON_NUM_THREADS="$THREADS" "$out/sslc-$backend" run "recipes/$recipe.ssl" --device "$backend" \
        --set "data.source=fashion_mnist(size: $size, count: $COUNT, holdout: $HOLDOUT)" \
        --set "train.epochs=$EPOCHS" --set "train.seed=$SEED" --out "$out/runs/$recipe-$backend" \
        >"$log.out" 2>"$log.err"
    local untrained trained rate secs mem
    untrained=$(awk '$1 == "untrained" {print $2}' "$log.out" | tr -d '%')
    trained=$(awk '$1 == "trained" {print $2}' "$log.out" | tr -d '%')
    rate=$(grep -o '([0-9.]* img/s); final' "$log.err" | grep -o '[0-9.]*' | head -1)
    secs=$(grep -o 'steps in [0-9.]*s' "$log.err" | grep -o '[0-9.]*')
    mem=$(( $(tail -1 "$log.mem") / 1024 ))
    echo "$untrained $trained $rate $mem $secs"
}

# The initial weights of backend $INIT for the recipe and seed: one step at learning rate 0 on a
# few images (the weights do not depend on the data). Prints the --init option for the twin.
init_of() {
    local recipe=$1 dir="$out/runs/$1-init-$INIT-$SEED" wrap=()
    mkdir -p "$out/runs"
    [ "$INIT" = none ] && return
    [ "$INIT" = tch ] && wrap=(scripts/with-torch.sh)
    "${wrap[@]}" "$out/sslc-$INIT" run "recipes/$recipe.ssl" --device "$INIT" \
        --set "data.source=fashion_mnist(size: 32, count: 64, holdout: 16)" --set data.batch=64 \
        --set train.epochs=1 --set optimizer.lr=0 --set "train.seed=$SEED" --out "$dir" >"$dir.log" 2>&1 ||
        { echo "sslc-$INIT could not write the initial weights of $recipe:" >&2; cat "$dir.log" >&2; return 1; }
    echo "--init $dir/final.safetensors"
}

# PyTorch: prints "untrained trained img/s peak-MiB seconds" from its script's JSON line.
run_pytorch() {
    local recipe=$1 size init
    size=$(size_of "$recipe")
    init=$(init_of "$recipe")
    local log="$out/$recipe-pytorch"
    # shellcheck disable=SC2086 # $init is empty or two words
    .torch/bin/python "bench/$recipe.py" --count "$COUNT" --holdout "$HOLDOUT" --size "$size" \
        --epochs "$EPOCHS" --seed "$SEED" --threads "$THREADS" $init >"$log.out" 2>"$log.err"
    .torch/bin/python - "$log.out" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f"{100 * r['untrained_knn']:.1f} {100 * r['knn']:.1f} {r['images_per_s']:.0f} {r['peak_rss_mib']:.0f} {r['train_seconds']:.0f}")
PY
}

printf '\nFashion-MNIST: %s training images, %s held out, %s epochs, seed %s, %s threads; PyTorch from %s initial weights\n\n' \
    "$COUNT" "$HOLDOUT" "$EPOCHS" "$SEED" "$THREADS" "$INIT"
# The "untrained trained img/s peak seconds" lines of one backend's runs, as "untrained trained
# img/s range peak seconds": images/s and seconds of the median run by images/s, the range of
# images/s ("-" for one run), the highest peak.
summarise() {
    sort -g -k3 | awk '{ u = $1; t = $2; r[NR] = $3; m = ($4 > m ? $4 : m); s[NR] = $5 }
        END { mid = int((NR + 1) / 2); range = (NR > 1 ? r[1] "–" r[NR] : "-")
              printf "%s %s %s %s %s %s\n", u, t, r[mid], range, m, s[mid] }'
}

printf '| recipe | backend | kNN untrained | kNN trained | train img/s | range | peak MiB | train s | × PyTorch |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for recipe in $RECIPES; do
    declare -A runs=()
    for _ in $(seq "$REPEAT"); do
        for backend in $BACKENDS; do
            if [ "$backend" = pytorch ]; then
                line=$(run_pytorch "$recipe")
            else
                line=$(run_sslc "$backend" "$recipe")
            fi
            runs[$backend]+="$line"$'\n'
        done
    done
    reference=""
    [[ " $BACKENDS " == *" pytorch "* ]] && reference=$(printf '%s' "${runs[pytorch]}" | summarise | cut -d' ' -f3)
    for backend in $BACKENDS; do
        read -r u t r range m s < <(printf '%s' "${runs[$backend]}" | summarise)
        ratio=$([ -n "$reference" ] && awk -v a="$r" -v b="$reference" 'BEGIN { printf "%.2f", a / b }' || echo "-")
        printf '| %s | %s | %s%% | %s%% | %s | %s | %s | %s | %s |\n' "$recipe" "$backend" "$u" "$t" "$r" "$range" "$m" "$s" "$ratio"
    done
done
