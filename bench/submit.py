"""API latency while a 100,000-instance job is submitted, against the same calls on an idle engine.

Usage: submit.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET INSTANCES
A prober calls get_job on a small job in a loop, in its own thread; first alone (the peer:
BASELINE seconds), then while the main thread submits one job of INSTANCES instances (on a
0-node cluster, so nothing runs). Prints the submit time and the probes' p50/p99/max in both phases.
"""
import statistics
import sys
import threading
import time

from batchcompute import Client

port, key_id, secret, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
Client.register_region('local', '127.0.0.1', port)


def client():
    return Client('127.0.0.1', key_id, secret)


main = client()
cluster = main.create_cluster({'Name': 'held', 'ImageId': 'img-ubuntu',
                               'Groups': {'g': {'DesiredVMCount': 0, 'InstanceType': 'ecs.sn1.medium'}}}).Id


def job(count):
    return {'Name': 'big', 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True,
            'DAG': {'Tasks': {'t': {'InstanceCount': count, 'ClusterId': cluster,
                                    'Parameters': {'Command': {'CommandLine': 'true', 'PackagePath': ''},
                                                   'StdoutRedirectPath': '', 'StderrRedirectPath': ''}}},
                    'Dependencies': {}}}


small = main.create_job(job(1)).Id


def probe(stop, out):
    c = client()
    while not stop.is_set():
        t = time.perf_counter()
        c.get_job(small)
        out.append((t, time.perf_counter()))


def phase(seconds=None, work=None):
    stop, out = threading.Event(), []
    t = threading.Thread(target=probe, args=(stop, out))
    t.start()
    took = None
    if work:
        time.sleep(0.2)
        start = time.perf_counter()
        work()
        end = time.perf_counter()
        took = (start, end)
        time.sleep(0.2)
    else:
        time.sleep(seconds)
    stop.set()
    t.join()
    return took, out


def stats(calls):
    xs = sorted(e - s for s, e in calls)
    return statistics.median(xs) * 1000, xs[int(len(xs) * 0.99) - 1] * 1000, xs[-1] * 1000


_, idle = phase(seconds=3)
(start, end), busy = phase(work=lambda: main.create_job(job(n)))
# Only the calls that overlapped the submit (the phase has 0.2 s of idle engine either side).
busy = [(s, e) for s, e in busy if s < end and e > start]
p50a, p99a, maxa = stats(idle)
p50b, p99b, maxb = stats(busy)
print('submit of %d instances: %.2f s' % (n, end - start))
print('get_job on an idle engine (the peer):   p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d calls)' % (p50a, p99a, maxa, len(idle)))
print('get_job overlapping the submit:        p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d calls)' % (p50b, p99b, maxb, len(busy)))
print('ratio during / idle: p50 %.2fx  p99 %.2fx  max %.2fx' % (p50b / p50a, p99b / p99a, maxb / maxa))
