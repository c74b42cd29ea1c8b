#!/usr/bin/env python3
"""bcs-local: the unmodified batchcompute-cli against a local engine.

The CLI hard-codes batchcompute.<region>.aliyuncs.com; this launcher replaces that one
function (batchcompute_cli.util.client._get_endpoint) and starts the CLI. BCS_PORT names
the engine's port; HOME should hold a ~/.batchcompute/cliconfig with ssl = false.
"""
import os
import sys

from batchcompute import Client
import batchcompute_cli.util.client as cli_client

HOST = os.environ.get('BCS_HOST', '127.0.0.1')
PORT = int(os.environ.get('BCS_PORT', '9411'))


def _get_endpoint(region):
    Client.register_region(region, HOST, PORT)
    return HOST


cli_client._get_endpoint = _get_endpoint
from batchcompute_cli.cli import main  # noqa: E402

sys.argv[0] = 'bcs'
main()
