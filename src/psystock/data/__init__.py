"""Price data: sources (Yahoo Finance, a user's CSV, synthetic), quality checks, features.

The flow is ``sources.fetch_prices`` -> ``quality.check_prices`` -> ``store.save_prices``;
training reads the saved file back with ``store.load_prices`` and turns it into rows of 14
up/down days with ``features.build_features``.
"""
