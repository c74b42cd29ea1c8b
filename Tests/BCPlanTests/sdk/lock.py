"""Takes a workspace lock through bcops' extension API, over the official SDK's signed transport.

Usage: lock.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET OWNER TTL_SECONDS   (prints the lock ID)
"""
import json
import sys

from batchcompute import Client

port, key_id, secret, owner, ttl = sys.argv[1:6]
Client.register_region('local', '127.0.0.1', int(port))
client = Client('127.0.0.1', key_id, secret)
raw = client._sa._c  # the SDK's Api: signs and sends any path
response = raw.post('bcops', 'locks', body={'Workspace': 'default', 'Owner': owner, 'Operation': 'test', 'TTLSeconds': int(ttl)})
print(json.loads(response.read())['Id'])
