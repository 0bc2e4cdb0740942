import sys

from verilogeval.cli import main

sys.exit(main())
