"""``python -m generator`` is the same as ``partner-codegen``."""

import sys

from .cli import main

sys.exit(main())
