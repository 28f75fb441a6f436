"""`python -m regress` = the `regress` console script."""
import sys

from regress.cli import main

sys.exit(main())
