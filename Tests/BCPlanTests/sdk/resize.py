"""Changes a cluster group's desired count outside bcops, with the official SDK.

Usage: resize.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET CLUSTER_ID GROUP COUNT
"""
import sys

from batchcompute import Client

port, key_id, secret, cluster, group, count = sys.argv[1:7]
Client.register_region('local', '127.0.0.1', int(port))
client = Client('127.0.0.1', key_id, secret)
client.change_cluster_desired_vm_count(cluster, **{group: int(count)})
print('resized %s %s to %s' % (cluster, group, count))
