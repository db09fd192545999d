"""Names vulture cannot see used (read with pyproject.toml's [tool.vulture]).

Every entry says who reads it. Nothing here is read only by a test: code that the
package, its benchmarks or its users never reach is deleted, not listed.
"""

# ruff: noqa
# fmt: off

# Read by the standard library or a framework through a protocol of its own.
__getattr__  # PEP 562: the package root's lazy library API
__dir__  # PEP 562
_.auth_flow  # httpx.Auth: called by httpx for every request
_.writable  # io: asked by print() and the text layer
_.row_factory  # sqlite3.Connection: read by the driver
daemon_threads  # socketserver.ThreadingMixIn
block_on_close  # socketserver.ThreadingMixIn
allow_reuse_address  # socketserver.TCPServer
address_family  # socketserver.TCPServer
request_queue_size  # socketserver.TCPServer: the listen backlog
_.shutdown_request  # socketserver.BaseServer
protocol_version  # http.server.BaseHTTPRequestHandler
_.handle_one_request  # http.server.BaseHTTPRequestHandler
_.close_connection  # http.server.BaseHTTPRequestHandler
_.requestline  # http.server.BaseHTTPRequestHandler: read by log_request
_.log_message  # http.server.BaseHTTPRequestHandler
model_config  # pydantic: a model's configuration
force_unlock  # click: the `force-unlock` command, called by the CLI group

# Fields of the API's records: pydantic parses and dumps them (and digests read
# the live models' fields by name), whether or not code names them.
next_run_at
updated_at
completed_at
total_results
size_bytes

# The library API (README, "Using it as a library"): read by the package's users.
_.storage  # Client.storage, the result files
file_count  # LoadedManifests.file_count
