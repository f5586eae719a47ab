"""The package's logger, and switching it on from the environment.

Records carry the method, URL, status, attempt, duration and request id of every attempt at
DEBUG level; never a header value or a body, so no credential or secret field can reach them.
"""

from __future__ import annotations

import logging
import os

__all__ = ["logger", "setup_logging"]

logger = logging.getLogger(__name__.rpartition(".")[0] or __name__)


def setup_logging(env_var: str) -> None:
    """``<env_var>=debug`` (or ``info``) sends the package's records to stderr."""
    level = os.environ.get(env_var, "").strip().lower()
    if level not in ("debug", "info"):
        return
    if not any(getattr(h, "_partner_codegen", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        handler._partner_codegen = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
