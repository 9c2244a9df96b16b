"""``python -m lifecircle``: the same as the ``lifecircle`` command."""

import sys

from lifecircle.cli import main

sys.exit(main())
