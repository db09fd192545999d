"""bytestack-sync: declarative job sync for the ByteStack API."""

__version__ = "0.1.0"
