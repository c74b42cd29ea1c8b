#!/usr/bin/env python3
"""bcs-local: the unmodified batchcompute-cli against a local engine.

The CLI hard-codes batchcompute.<region>.aliyuncs.com and oss-<region>.aliyuncs.com; this
launcher replaces those two functions (batchcompute_cli.util.client._get_endpoint and
batchcompute_cli.util.oss_client.get_endpoint) and starts the CLI. The engine serves both
APIs on one port (OSS requests are told apart by their "OSS" Authorization). BCS_PORT names
the engine's port; HOME should hold a ~/.batchcompute/cliconfig with ssl = false.
"""
import os
import sys

from batchcompute import Client
import batchcompute_cli.util.client as cli_client
import batchcompute_cli.util.oss_client as cli_oss

HOST = os.environ.get('BCS_HOST', '127.0.0.1')
PORT = int(os.environ.get('BCS_PORT', '9411'))


def _get_endpoint(region):
    Client.register_region(region, HOST, PORT)
    return HOST


cli_client._get_endpoint = _get_endpoint
cli_oss.get_endpoint = lambda region: 'http://%s:%d' % (HOST, PORT)
from batchcompute_cli.cli import main  # noqa: E402

sys.argv[0] = 'bcs'
main()
