"""The local ByteStack API: a WSGI app over SQLite, served in-process or over a socket.

app.py         create_app(...) -> EmulatorApp, the request pipeline
auth.py        bearer keys, workspaces, read-only and unpaid keys
faults.py      rate limits, latency, injected failures and dropped writes
routing.py     the route table under /v1
resources.py   jobs and webhooks handlers
queries.py     queries and storage handlers
validation.py  request bodies checked with the shared contract rules
store.py       reads and writes per workspace, columns from the contract's field table
db.py          the SQLite connection, its lock, page cursors
migrations.py  the schema as versioned, forward-only migrations, applied on open
server.py      EmulatorServer: threaded HTTP/1.1 server on a real socket
local.py       LocalTransport: the in-process httpx transport
"""
