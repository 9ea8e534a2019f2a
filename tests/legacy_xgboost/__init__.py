"""Real legacy binary XGBoost models for the tests: how they are made, and how to read them."""
