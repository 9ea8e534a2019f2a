# psystock api image: `psystock serve` on 0.0.0.0:8080.
#
# Built by `psystock docker build api` from a context it assembles: wheels/ (a wheelhouse built
# on the host for this image's interpreter), model/ (empty, or the model baked in with --model)
# and api-entrypoint.sh. No step needs the network: pip installs from wheels/ only.
#
#   docker run --network host -e MLFLOW_TRACKING_URI=http://127.0.0.1:5000 psystock-api
#                                                  model resolved at start, new versions rolled out
#   docker run --network host psystock-api         with a baked model (built with --model)
#   docker run --network host -v $PWD/model:/opt/ml/model:ro psystock-api serve
#                                                  SageMaker's contract: /ping, /invocations on
#                                                  $SAGEMAKER_BIND_TO_PORT (8080), /opt/ml/model
# It runs as uid 10001 and writes only to /var/lib/psystock (a volume): --read-only works.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS install
ARG PSYSTOCK_REQUIREMENT
COPY wheels/ /wheels/
COPY prune-venv.py /tmp/prune-venv.py
# A virtual environment without pip, installed from the wheelhouse only (its shared libraries
# stripped on the host), then pruned to what serving loads: tests, headers, pyarrow's Flight and
# S3 modules and scipy beyond scipy.sparse go, identical files become hard links, and the build
# fails here if the API can no longer import or predict (prune-venv.py says what and why).
RUN python -m venv --without-pip /opt/psystock \
 && python -m pip --python /opt/psystock/bin/python install --no-index --find-links /wheels \
      --no-cache-dir --disable-pip-version-check "${PSYSTOCK_REQUIREMENT}" \
 && python /tmp/prune-venv.py /opt/psystock

FROM ${BASE_IMAGE} AS api
RUN groupadd --gid 10001 psystock \
 && useradd --uid 10001 --gid 10001 --home-dir /var/lib/psystock --no-create-home \
      --shell /usr/sbin/nologin psystock \
 && mkdir -p /var/lib/psystock /opt/ml/model \
 && chown 10001:10001 /var/lib/psystock
COPY --from=install /opt/psystock /opt/psystock
COPY api-entrypoint.sh /usr/local/bin/psystock-entrypoint
COPY model/ /opt/ml/model/
ENV PATH=/opt/psystock/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/var/lib/psystock \
    TMPDIR=/var/lib/psystock \
    PSYSTOCK_HOME=/var/lib/psystock \
    PSYSTOCK_SERVING__HOST=0.0.0.0 \
    PSYSTOCK_SERVING__PORT=8080 \
    MLFLOW_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=true
VOLUME ["/var/lib/psystock"]
WORKDIR /var/lib/psystock
USER 10001:10001
EXPOSE 8080
# No curl in the image: the interpreter asks /ping (200 once a model is loaded).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["python", "-c", \
  "import os, urllib.request; port = os.environ.get('SAGEMAKER_BIND_TO_PORT') or os.environ.get('PSYSTOCK_SERVING__PORT', '8080'); urllib.request.urlopen(f'http://127.0.0.1:{port}/ping', timeout=2)"]
ENTRYPOINT ["psystock-entrypoint"]
CMD []
