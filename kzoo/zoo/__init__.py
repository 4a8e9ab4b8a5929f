"""The model zoo: catalog, offline-first resolution and download, loading with new heads."""
