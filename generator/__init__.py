"""partner-codegen: OpenAPI document in, typed httpx client and pydantic v2 models out.

The pipeline reads top to bottom, one module per stage:
``load`` -> ``validate`` -> ``model`` -> ``render`` -> ``format`` -> ``write``.
:func:`generator.pipeline.generate_tree` runs the pure stages; only :mod:`generator.write`
touches the disk.
"""

__version__ = "0.1.0"
