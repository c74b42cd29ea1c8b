"""Counts the objects a workspace owns (apps, clusters and jobs with its label), through the
official SDK's signed transport, and prints the count and then the owned apps' names.

Usage: owned.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET WORKSPACE
"""
import json
import sys

from batchcompute import Client

port, key_id, secret, workspace = sys.argv[1:5]
Client.register_region('local', '127.0.0.1', int(port))
client = Client('127.0.0.1', key_id, secret)
raw = client._sa._c
count, apps = 0, []
for collection in ('apps', 'clusters', 'jobs'):
    marker = ''
    while True:
        page = json.loads(raw.get(collection, params={'Marker': marker, 'MaxItemCount': '1000',
                                                      'Label': 'bcops.io/workspace=' + workspace}).read())
        for item in page['Items']:
            count += 1
            if collection == 'apps':
                apps.append(item['Name'])
        marker = page.get('NextMarker', '')
        if not marker:
            break
print(count)
for name in apps:
    print(name)
