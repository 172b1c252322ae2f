"""The service's machinery (batching, faults, limits, channels, the API schema) is tested on the tiny
bots in tests/packs/, not on the departments' bots/: a department's edit cannot fail these tests.
Here ``database_url``, ``services``, ``client`` and ``tokens`` are those of the test packs."""

from __future__ import annotations

from tests.conftest import on_test_packs

database_url, services, client, tokens = on_test_packs()  # tests/packs/, not the departments' bots/
