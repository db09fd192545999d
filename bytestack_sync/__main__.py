import sys

from bytestack_sync.cli import main

if __name__ == "__main__":
    sys.exit(main())
