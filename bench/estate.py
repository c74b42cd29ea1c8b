"""Writes an estate of N resources as manifests: half Apps, half Clusters, 100 per file.

Usage: estate.py DIR N
"""
import os
import sys

directory, n = sys.argv[1], int(sys.argv[2])
os.makedirs(directory, exist_ok=True)
docs = []
for i in range(n):
    if i % 2 == 0:
        docs.append(f"""apiVersion: bcops.io/v1
kind: App
metadata:
  name: app-{i}
  labels:
    team: t{i % 7}
spec:
  description: render app {i}
  image:
    docker:
      image: registry.example.com/render:{i % 13}
  commandLine: render --frames ${{frames}} --scene ${{scene}}
  inputs:
    frames:
      default: 1-10
    scene:
      localPath: /home/input/
  outputs:
    out:
      localPath: /home/output/
  env:
    QUALITY: high
  config:
    instanceType: ecs.sn1.medium
    instanceCount: 2
""")
    else:
        docs.append(f"""apiVersion: bcops.io/v1
kind: Cluster
metadata:
  name: pool-{i}
spec:
  description: pool {i}
  imageId: img-ubuntu
  instanceType: ecs.sn1.medium
  groups:
    main:
      desiredCount: {i % 3}
    burst:
      desiredCount: 0
      instanceType: ecs.sn1ne.large
  env:
    STAGE: bench
""")
for start in range(0, n, 100):
    with open(os.path.join(directory, f"part-{start // 100:04d}.yaml"), "w") as f:
        f.write("---\n".join(docs[start:start + 100]))
