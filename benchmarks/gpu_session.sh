#!/usr/bin/env bash
# One GPU measurement session, prepared here and run on a lent GPU machine in one call.
#
#   bash benchmarks/gpu_session.sh prepare      # here (package registry reachable): wheels + data into .gpu/
#   bash benchmarks/gpu_session.sh run          # there, from the repository root, with .gpu/ carried along
#   SMALL=1 bash benchmarks/gpu_session.sh run  # the same on this CPU (tiny shapes), to check it first
#
# Why: the lent machine's image (2026-12: Python 3.12, torch 2.11+cu130, transformers 5.17, accelerate 1.15)
# has no trl, peft, datasets, bitsandbytes or liger-kernel, cannot reach a package index, and gets only the
# checkout (not ../shared) plus at most 64 MiB of carried paths. `prepare` downloads exactly the wheels that ran
# there before (bitsandbytes takes 43 MB of the budget) for that Python and copies alpaca_en_demo.json;
# `run` installs them into /tmp/site (a machine kept between calls keeps /tmp, hence removed first) and runs
# benchmarks/bench_gpu.py with $BENCH_ARGS, its output and results.jsonl under $OUT (which comes back).
# Default BENCH_ARGS: the main comparison, then one speed choice changed at a time for 30 steps, torch.compile
# included (about 9 minutes on an H200; --no-7b keeps it inside one 10-minute call).
set -u
cd "$(dirname "$0")/.."
G=.gpu
case "${1:-}" in
prepare)
    rm -rf "$G/whl" && mkdir -p "$G/whl" "$G/data"
    # the versions that ran on the lent image (benchmarks/README.md); no dependencies: the image has the rest
    for spec in trl==1.16.0 peft==0.21.2 datasets==5.2.0 dill==0.4.1 multiprocess==0.70.19 \
                bitsandbytes==0.50.2 liger-kernel==0.8.5; do
        python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
            --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
            --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any \
            -d "$G/whl" "$spec" || exit 1
    done
    data=../shared/datasets/llamafactory/alpaca_en_demo.json
    [ -f "$data" ] || { echo "no $data: put LLaMA-Factory's alpaca_en_demo.json there"; exit 1; }
    cp "$data" "$G/data/"
    du -sh "$G"; ls "$G/whl"
    size=$(du -sm "$G" | cut -f1)
    [ "$size" -lt 60 ] || { echo "$G is ${size} MiB: over what the device run carries (64 MiB with the tree)"; exit 1; }
    echo "run it: the device tool with carry [\".gpu\"] and command \"bash benchmarks/gpu_session.sh run\""
    ;;
run)
    export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
    OUT=${OUT:-/tmp/gpu-session}; mkdir -p "$OUT"
    exec > >(tee -a "$OUT/log.txt") 2>&1
    if [ "${SMALL:-0}" != 1 ]; then
        ls "$G"/whl/*.whl >/dev/null 2>&1 || { echo "no wheels in $G/whl: run 'prepare' here and carry $G"; exit 1; }
        rm -rf /tmp/site
        python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site "$G"/whl/*.whl \
            || exit 1
        export PYTHONPATH=/tmp/site:$PWD
    else
        export PYTHONPATH=$PWD
    fi
    nvidia-smi -L 2>/dev/null; nproc; date -u
    python3 -c "import torch, transformers, trl, peft, datasets, accelerate; print('torch', torch.__version__, \
'transformers', transformers.__version__, 'trl', trl.__version__, 'peft', peft.__version__, 'datasets', \
datasets.__version__, 'accelerate', accelerate.__version__)" || exit 1
    data=$G/data/alpaca_en_demo.json; [ -f "$data" ] || data=../shared/datasets/llamafactory/alpaca_en_demo.json
    if [ "${SMALL:-0}" = 1 ]; then
        args=${BENCH_ARGS:---small --no-7b --ablate --ablate-steps 4 --ablate-only padding,fused}
    else
        args=${BENCH_ARGS:---no-7b --ablate --ablate-steps 30 --compile --ablate-only padding,fused,compile}
    fi
    # shellcheck disable=SC2086
    python3 benchmarks/bench_gpu.py --data "$data" --out "$OUT/bench" $args
    rc=$?
    # the models and weights stay there (the job folders' logs, metrics and summaries come back)
    rm -rf "$OUT/bench/model-"*
    find "$OUT/bench" \( -name '*.safetensors' -o -name '*.bin' -o -name '*.pt' -o -name '*.zip' -o -name '*.arrow' \
        -o -name '*.pth' \) -delete 2>/dev/null
    exit $rc
    ;;
*)
    sed -n 2,6p "$0"; exit 2
    ;;
esac
