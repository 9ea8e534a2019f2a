#!/bin/sh
# Entry point of the psystock batch image: `psystock batch score ARGS`.
#   (no argument)  the book's layout: input.csv -> output.csv in /data, output replaced
#   ARGS           any arguments of `psystock batch score` (INPUT OUTPUT [options])
#   psystock ...   that psystock command as it is: what `mlflow run` of a docker_env project
#                  passes (deploy/kubernetes/mlproject), the same command a Kubernetes Job runs
# A model baked into the image (/opt/ml/model) is used unless --model or
# PSYSTOCK_SCORING__MODEL_URI says otherwise; else the model comes from $MLFLOW_TRACKING_URI.
set -eu
MODEL_DIR=/opt/ml/model
if [ "${1:-}" = psystock ]; then
  shift
  exec psystock "$@"
fi
if [ "$#" -eq 0 ]; then
  set -- input.csv output.csv --overwrite
fi
if [ -f "$MODEL_DIR/MLmodel" ] && [ -z "${PSYSTOCK_SCORING__MODEL_URI:-}" ]; then
  export PSYSTOCK_SCORING__MODEL_URI="$MODEL_DIR"
fi
exec psystock batch score "$@"
