import sys

from verilogeval.cli.entry import main

sys.exit(main())
