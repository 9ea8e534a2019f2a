import httpx

from tests.conftest import MlflowServer, RegisteredModel


def test_mlflow_server_fixture_answers_health(mlflow_server: MlflowServer) -> None:
    assert httpx.get(f"{mlflow_server.url}/health", timeout=5).status_code == 200


def test_registered_model_fixture_is_in_production(registered_model: RegisteredModel) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(registered_model.tracking_uri)
    version = client.get_model_version_by_alias(registered_model.name, "production")
    assert version.version == registered_model.version
    assert version.current_stage == "Production"
