"""``python -m ranklens.cli``: the ``ranklens`` command."""

import sys

from ranklens.cli import main

sys.exit(main())
