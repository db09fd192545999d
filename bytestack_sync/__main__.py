import sys

from bytestack_sync.cli import main

sys.exit(main())
