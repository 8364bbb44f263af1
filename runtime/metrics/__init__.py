"""What an operator watches: process-wide figures and the `/metrics` endpoint that serves them.

`figures` holds the counters the runtime bumps (turns, limit breaches,
capability calls, payments, search latency) and reads the live ones at
scrape time (sessions, open sockets); `endpoint` serves them in the
Prometheus text format to an operator only. See docs/deploy.md.

Import the submodule you need: the runtime's hot paths import `figures`
alone, and `endpoint` belongs to the HTTP servers.
"""
