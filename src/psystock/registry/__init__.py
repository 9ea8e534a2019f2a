"""MLflow tracking/registry access: the only package that talks to the registry.

``MlflowException`` and connection errors become ``RegistryError`` here, once.
"""
