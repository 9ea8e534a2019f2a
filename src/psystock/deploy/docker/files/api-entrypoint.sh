#!/bin/sh
# Entry point of the psystock api image.
#   (no argument)  psystock serve on $PSYSTOCK_SERVING__HOST:$PSYSTOCK_SERVING__PORT (0.0.0.0:8080),
#                  the baked model (/opt/ml/model) if the image has one, else the model
#                  resolved from $MLFLOW_TRACKING_URI and followed
#   serve          SageMaker's container contract: the model at /opt/ml/model, the port in
#                  $SAGEMAKER_BIND_TO_PORT (default 8080), /ping and /invocations
#   train          refused: SageMaker's training contract is not what this image does
#   anything else  psystock with those arguments (e.g. `batch score ...`, `--help`)
set -eu
MODEL_DIR=/opt/ml/model
case "${1:-}" in
  "")
    if [ -f "$MODEL_DIR/MLmodel" ]; then
      exec psystock serve --model "$MODEL_DIR" --poll-interval 0
    fi
    exec psystock serve
    ;;
  serve)
    shift
    export PSYSTOCK_SERVING__PORT="${SAGEMAKER_BIND_TO_PORT:-8080}"
    exec psystock serve --host 0.0.0.0 --model "$MODEL_DIR" --poll-interval 0 "$@"
    ;;
  train)
    echo "Error: this image serves models; it does not train (SageMaker's 'train' contract)" >&2
    exit 2
    ;;
  *)
    exec psystock "$@"
    ;;
esac
