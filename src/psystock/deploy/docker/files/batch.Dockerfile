# psystock batch image: `psystock batch score` on files mounted at /data.
#
# Built by `psystock docker build batch` from a context it assembles: wheels/ (a wheelhouse built
# on the host for this image's interpreter), model/ (empty, or the model baked in with --model)
# and batch-entrypoint.sh. No step needs the network: pip installs from wheels/ only.
#
#   docker run --network host -v $PWD:/data -e MLFLOW_TRACKING_URI=http://127.0.0.1:5000 psystock-batch
#                            the book's layout: /data/input.csv -> /data/output.csv (replaced)
#   docker run ... psystock-batch /data/in.parquet /data/out.parquet --on-error quarantine
#                            any arguments of `psystock batch score`
# Each job is recorded as an MLflow run at $MLFLOW_TRACKING_URI. It runs as uid 10001 (/data
# must be writable by it) and writes only to /data and /var/lib/psystock: --read-only works.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS install
ARG PSYSTOCK_REQUIREMENT
COPY wheels/ /wheels/
# A virtual environment without pip, installed from the wheelhouse only; test suites of the
# libraries are left out.
RUN python -m venv --without-pip /opt/psystock \
 && python -m pip --python /opt/psystock/bin/python install --no-index --find-links /wheels \
      --no-cache-dir --disable-pip-version-check "${PSYSTOCK_REQUIREMENT}" \
 && find /opt/psystock/lib -depth -type d -name tests -path "*/site-packages/*/tests" \
      -exec rm -rf {} + \
 && /opt/psystock/bin/python -m compileall -q /opt/psystock/lib >/dev/null

FROM ${BASE_IMAGE} AS batch
RUN groupadd --gid 10001 psystock \
 && useradd --uid 10001 --gid 10001 --home-dir /var/lib/psystock --no-create-home \
      --shell /usr/sbin/nologin psystock \
 && mkdir -p /var/lib/psystock /data /opt/ml/model \
 && chown 10001:10001 /var/lib/psystock /data
COPY --from=install /opt/psystock /opt/psystock
COPY batch-entrypoint.sh /usr/local/bin/psystock-batch
COPY model/ /opt/ml/model/
ENV PATH=/opt/psystock/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/var/lib/psystock \
    TMPDIR=/var/lib/psystock \
    PSYSTOCK_HOME=/var/lib/psystock \
    MLFLOW_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=true
VOLUME ["/var/lib/psystock", "/data"]
WORKDIR /data
USER 10001:10001
ENTRYPOINT ["psystock-batch"]
CMD []
