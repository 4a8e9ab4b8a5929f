#!/usr/bin/env bash
# The GPU run, on one machine with JAX (and no TensorFlow), within 10 minutes:
#   1. the training throughput benchmark (bench/gpu_throughput.py): EfficientNet-Lite0 at 224 px and MiniLM,
#      mixed bfloat16 vs float32 -> bench/results/gpu/throughput.json;
#   2. every course notebook, in full mode on JAX (bench/notebooks.py)
#      -> bench/results/gpu/notebooks/NN.json (the executed copies go to a temporary folder: the site
#      shows the CPU runs).
# Needs: kzoo and its dependencies importable (pip install -e . --no-deps next to keras, keras-hub, jax),
# nbclient and ipykernel, the asset mirror ($KZOO_ASSETS, default ../shared/assets) and the weight packages.
#   bench/gpu.sh                 # the real run
#   GPU_TINY=1 bench/gpu.sh OUT  # smoke test on a CPU: tiny throughput settings, no notebooks, results in OUT
set -euo pipefail
cd "$(dirname "$0")/.."

export KERAS_BACKEND=jax MPLBACKEND=Agg TF_CPP_MIN_LOG_LEVEL=2
export KZOO_ASSETS="${KZOO_ASSETS:-$(cd ../shared/assets 2>/dev/null && pwd || true)}"
OUT="${1:-bench/results/gpu}"
# Every notebook runs without TensorFlow (docs/course.md: checked in fast mode on JAX with TensorFlow
# hidden); 10 then skips its SavedModel export. Shortest first, so a spent budget drops the longest.
NOTEBOOKS="${GPU_NOTEBOOKS:-00 03 05 07 10 08 02 06 09 01 04}"
BUDGET_S="${GPU_BUDGET_S:-540}"  # leave a minute of the ten for start-up and copying back

python -c "import kzoo, keras; assert keras.backend.backend() == 'jax'" \
  || { echo "kzoo or keras (JAX backend) is not importable: install them first" >&2; exit 2; }
python -c "import kzoo; print('devices:', kzoo.devices.accelerators() or 'CPU only')"
start=$(date +%s)

if [ -n "${GPU_TINY:-}" ]; then
  python bench/gpu_throughput.py --tiny --out "$OUT"
  exit 0
fi

timeout "$BUDGET_S" python bench/gpu_throughput.py --out "$OUT"
[ -n "$KZOO_ASSETS" ] || { echo "no asset mirror: set KZOO_ASSETS to run the notebooks" >&2; exit 2; }
copies=$(mktemp -d)
for nn in $NOTEBOOKS; do
  left=$(( BUDGET_S - ($(date +%s) - start) ))
  if [ "$left" -lt 30 ]; then
    echo "time budget spent: notebooks from $nn on were not run" >&2
    break
  fi
  timeout "$left" python bench/notebooks.py "$nn" --out "$OUT/notebooks" --copies "$copies" \
    || echo "notebook $nn failed or ran out of time (exit $?)" >&2
done
echo "GPU run done in $(( $(date +%s) - start )) s; results in $OUT"
