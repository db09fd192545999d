"""The typed ByteStack API client: ``from bytestack_sync.api.client import Client``."""
