# psystock registry image: `mlflow server` (tracking, model registry, proxied artifacts) with the
# PostgreSQL driver (psycopg2) and S3-compatible artifact storage (boto3).
#
# Built by `psystock docker build registry` from a context holding wheels/ (a wheelhouse built
# on the host for this image's interpreter). No step needs the network.
#
# Every setting comes from MLflow's own variables (`mlflow server --help` lists them):
#   MLFLOW_BACKEND_STORE_URI      default sqlite:////var/lib/mlflow/mlflow.db; for PostgreSQL
#                                 postgresql+psycopg2://USER:PASSWORD@HOST:5432/DB
#   MLFLOW_ARTIFACTS_DESTINATION  default /var/lib/mlflow/artifacts; or s3://BUCKET/PREFIX with
#                                 AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for MinIO and
#                                 other S3-compatible stores, MLFLOW_S3_ENDPOINT_URL
#   MLFLOW_HOST, MLFLOW_PORT      0.0.0.0, 5000
#   MLFLOW_SERVER_ALLOWED_HOSTS   Host headers accepted (default: localhost and private IPs);
#                                 add the name clients use, e.g. registry:5000
# The job runner is off (MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false: it costs about 1.5 GB), and
# webhooks may call http:// and private addresses, as `psystock registry up` sets them.
# It runs as uid 10001 and writes only to /var/lib/mlflow (a volume): --read-only works.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS install
ARG PSYSTOCK_REQUIREMENT
COPY wheels/ /wheels/
RUN python -m venv --without-pip /opt/psystock \
 && python -m pip --python /opt/psystock/bin/python install --no-index --find-links /wheels \
      --no-cache-dir --disable-pip-version-check "${PSYSTOCK_REQUIREMENT}" \
 && find /opt/psystock/lib -depth -type d -name tests -path "*/site-packages/*/tests" \
      -exec rm -rf {} + \
 && /opt/psystock/bin/python -m compileall -q /opt/psystock/lib >/dev/null

FROM ${BASE_IMAGE} AS registry
RUN groupadd --gid 10001 mlflow \
 && useradd --uid 10001 --gid 10001 --home-dir /var/lib/mlflow --no-create-home \
      --shell /usr/sbin/nologin mlflow \
 && mkdir -p /var/lib/mlflow \
 && chown 10001:10001 /var/lib/mlflow
COPY --from=install /opt/psystock /opt/psystock
ENV PATH=/opt/psystock/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/var/lib/mlflow \
    TMPDIR=/var/lib/mlflow \
    MLFLOW_HOST=0.0.0.0 \
    MLFLOW_PORT=5000 \
    MLFLOW_BACKEND_STORE_URI=sqlite:////var/lib/mlflow/mlflow.db \
    MLFLOW_ARTIFACTS_DESTINATION=/var/lib/mlflow/artifacts \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
    MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https \
    MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true \
    MLFLOW_DISABLE_TELEMETRY=true \
    DO_NOT_TRACK=true
VOLUME ["/var/lib/mlflow"]
WORKDIR /var/lib/mlflow
USER 10001:10001
EXPOSE 5000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["python", "-c", \
  "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('MLFLOW_PORT', '5000'), timeout=2)"]
ENTRYPOINT ["mlflow", "server"]
CMD []
