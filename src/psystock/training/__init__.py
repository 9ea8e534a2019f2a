"""Training: fit the PsyStock XGBoost model, evaluate it, log it to MLflow and register it.

``train.train_model(settings, data_path)`` runs the whole job and returns a ``TrainingResult``.
"""
