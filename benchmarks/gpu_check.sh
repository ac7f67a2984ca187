#!/usr/bin/env bash
# The GPU checks, for a machine with an NVIDIA GPU (under five minutes; each step has its own
# timeout). Run from the repository root after `pip install -e '.[gpu,test]'`:
#     bash benchmarks/gpu_check.sh 2>&1 | tee gpu_check.log
# 1. doctor --json: the build, the GPUs, TensorFlow's devices, step rates per device, parity.
# 2. The fused-training parity, gradient and graph-loop tests, on the GPU (TensorFlow's default device),
#    one layer and stacked (1–3) with dropout (doctor's parity in step 1 covers two stacked layers too).
# 3. One robust run of the electricity sample (--budget quick) on the CPU and on the GPU, with
#    the pick and the time; the GPU run twice, and their leaderboards compared.
set -u
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/gpu_check}
mkdir -p "$out"
sample=sample_data/uk_electricity_demand_halfhourly.csv
step() { echo; echo "== $1"; }

step "doctor"
timeout 120 seqlen-tui doctor --json | tee "$out/doctor.json"

step "fused parity and gradient tests on the default device"
timeout 240 python -m pytest -q -n0 tests/functional/test_fused_lstm.py tests/functional/test_fused_layers.py \
    -k "forward_and_gradient or matches_separate or graph_loop or layers or dropout" 2>&1 | tail -3

run() {  # $1 label, $2 --device value
    local started=$SECONDS
    SEQLEN_RUNS_DIR="$out/runs_$1" timeout 240 seqlen-tui run "$sample" --budget quick --device "$2" \
        --no-classifiers --json "$out/$1.json" > /dev/null 2> "$out/$1.log"
    echo "$1: rc $? in $((SECONDS - started)) s; chose $(python -c "import json; r=json.load(open('$out/$1.json')); print(r['chosen_lag'], 'on', r['device'])")"
}
step "robust runs (--budget quick)"
run cpu cpu
run gpu1 gpu
run gpu2 gpu
step "auto: which device, and why"
SEQLEN_RUNS_DIR="$out/runs_auto" timeout 240 seqlen-tui run "$sample" --budget quick --no-classifiers \
    --json "$out/auto.json" 2>&1 | grep "training on"
python - "$out" <<'PY'
import json, sys
a, b = (json.load(open(f"{sys.argv[1]}/{name}.json"))["leaderboard"] for name in ("gpu1", "gpu2"))
same = a == b
print("GPU runs twice: leaderboards", "identical" if same else "DIFFER")
if not same:
    worst = max(abs((x.get("val_mse") or 0) - (y.get("val_mse") or 0)) for x, y in zip(a, b))
    print("  largest val MSE difference:", worst)
PY
