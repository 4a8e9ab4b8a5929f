"""The model zoo: a registry that families fill (``catalog``), the families, and ``load``.

Files come from ``kzoo.hub``; ``kzoo.models`` imports every family so the registry is complete.
"""
