#!/bin/bash
# Does 8.5's GAN step on utils.gradients (#29) compute what the keras.Model + tf.GradientTape step before it
# did? Runs both versions of the notebook for CAP iterations (default 3), seed 42, TensorFlow, as trial runs
# (rows to a temporary folder, no notebook saved), and prints each version's four recorded figures.
# Usage, from anywhere in a checkout with its .venv: bash results/evidence/gan_step/run.sh > log
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT="$(mktemp -d)"
export DLWP_MIRROR="${DLWP_MIRROR:-$(cd ../shared/datasets && pwd)}" DLWP_OFFLINE=1 DLWP_PROFILE=full MPLBACKEND=Agg
export DLWP_EPOCH_CAP="${CAP:-3}"
git show 11d9d10:notebooks/08.5-introduction-to-gans.ipynb > notebooks/zz_gan_step_old.ipynb  # before #29
cp notebooks/08.5-introduction-to-gans.ipynb notebooks/zz_gan_step_new.ipynb
trap 'rm -f notebooks/zz_gan_step_old.ipynb notebooks/zz_gan_step_new.ipynb' EXIT
for v in old new; do
  echo "== $v (cap $DLWP_EPOCH_CAP iterations)"
  .venv/bin/python -m toolkit.runner run --profile full --results-dir "$OUT/$v" notebooks/zz_gan_step_$v.ipynb \
    < /dev/null > "$OUT/$v.log" 2>&1 || true  # a capped trial may fail its closing check; its rows are written first
  jq -c '[.name, .value]' "$OUT/$v/full.jsonl"
done
