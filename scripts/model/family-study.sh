#!/usr/bin/env bash
# From the packed family (data/family/*.xtc + manifest) to everything docs/model.md and
# docs/analysis.md quote: the training set, the leave-systems-out table and parity plot (both
# objectives, both baselines), the shipped default model and its training report, the
# trajectory-length convergence and the field study (findings 2–5).
#   bash scripts/model/family-study.sh            # all steps
#   STEPS="dataset loso" bash scripts/model/family-study.sh
# Needs only the committed data (no LAMMPS); about 30–40 min on 2 idle cores. Outputs under
# docs/model/, docs/figures/ and data/models/; the dataset goes to build/family-ds (ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${STEPS:-"dataset loso default convergence field"}
DS=build/family-ds
THREADS=${THREADS:-$(nproc)}
# Training settings shared by the leave-systems-out study and the default model.
TAU=10          # lag of the targets (lj τ): inside the diffusive regime of every system (docs/family.md)
ORIGIN_STRIDE=8 # packed frames are 2 τ apart: one origin every 16 τ, ~190–250 per system
HIDDEN=16,16
EPOCHS=40
PATIENCE=8
# The default model's validation systems (early stopping only): two 1:1 salts inside the family's range.
VALIDATION=s11-lb2-rho0.1,s11-lb4-rho0.2
cli() { node bin/ionfield.js "$@"; }
has() { [[ " $STEPS " == *" $1 "* ]]; }

if has dataset; then
  # Systems already in $DS with the same request are skipped: rerun after adding systems.
  cli dataset data/family/*.xtc --set compact --tau $TAU --origin-stride $ORIGIN_STRIDE \
    --manifest data/family/manifest.json --label-by charge --out "$DS" --json > build/family-ds.build.json
  node -e 'const r=require("./build/family-ds.build.json");console.log(`dataset: ${r.systems.length} systems, worst sum-rule error ${r.max_sum_rule_relative_error}`)'
fi

if has loso; then
  mkdir -p docs/model
  # Leave one system out (16 trainings per objective; another system validates), then four
  # stratified groups of four (harder: a group can take every system of one corner of the family).
  node --import tsx scripts/model/leave-systems-out.ts "$DS" --epochs $EPOCHS --patience $PATIENCE \
    --hidden $HIDDEN --threads "$THREADS" --out docs/model/leave-one-out
  node --import tsx scripts/model/leave-systems-out.ts "$DS" --folds 4 --epochs $EPOCHS --patience $PATIENCE \
    --hidden $HIDDEN --threads "$THREADS" --out docs/model/leave-systems-out
fi

if has default; then
  # The objective with the lower leave-systems-out median error against Λ_EH.
  OBJECTIVE=$(node -e 'const r=require("./docs/model/leave-one-out/leave-systems-out.json").median_relative_error;console.log(r["nn_global"]<=r["nn_per-ion"]?"global":"per-ion")')
  cli train "$DS" --holdout $VALIDATION --objective "$OBJECTIVE" --hidden $HIDDEN --epochs $EPOCHS --patience $PATIENCE \
    --threads "$THREADS" --out data/models/default.onnx --json > data/models/default.train.json.tmp
  mv data/models/default.train.json.tmp data/models/default.train.json
  echo "default model: $OBJECTIVE objective, data/models/default.onnx"
fi

if has convergence; then
  # On a validation system of the default model (never trained on).
  node --import tsx scripts/model/convergence.ts data/family/s11-lb2-rho0.1.xtc --model data/models/default.onnx \
    --timestep 0.005 --fractions 0.002,0.008,0.03,0.125,0.25,0.5,1 | tee docs/model/convergence.md
fi

if has field; then
  node --import tsx scripts/family/field-study.ts --out build/field-study
fi
