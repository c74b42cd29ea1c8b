"""The controller benchmark's estate: Apps and Clusters (every group desiredCount 0, so no
node starts), spread over files under one directory.

Usage as a script: estate.py DIR [APPS [CLUSTERS [FILES]]]   (default 750 250 20)
The driver imports `documents` and `write` to rewrite one App for the latency commits.
"""
import os
import sys


def app(i, version=0):
    description = f"render app {i}" + (f" (edit {version})" if version else "")
    return f"""apiVersion: bcops.io/v1
kind: App
metadata:
  name: app-{i}
  labels:
    team: t{i % 7}
spec:
  description: {description}
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
"""


def cluster(i):
    return f"""apiVersion: bcops.io/v1
kind: Cluster
metadata:
  name: pool-{i}
spec:
  description: pool {i}
  imageId: img-ubuntu
  instanceType: ecs.sn1.medium
  groups:
    main:
      desiredCount: 0
    burst:
      desiredCount: 0
      instanceType: ecs.sn1ne.large
  env:
    STAGE: bench
"""


def documents(apps, clusters):
    """(name, text) pairs: every fourth resource a Cluster while Clusters remain."""
    out, a, c = [], 0, 0
    while a < apps or c < clusters:
        if c < clusters and (a >= apps or (a + c) % 4 == 3):
            out.append((f"pool-{c}", cluster(c)))
            c += 1
        else:
            out.append((f"app-{a}", app(a)))
            a += 1
    return out


def layout(docs, files):
    """File name of each document: `files` files of equal size, in order."""
    per = -(-len(docs) // files)
    return {name: f"part-{k // per:02d}.yaml" for k, (name, _) in enumerate(docs)}


def write(directory, docs, files):
    os.makedirs(directory, exist_ok=True)
    where = layout(docs, files)
    grouped = {}
    for name, text in docs:
        grouped.setdefault(where[name], []).append(text)
    for file, texts in grouped.items():
        with open(os.path.join(directory, file), "w") as f:
            f.write("---\n".join(texts))
    return where


if __name__ == "__main__":
    directory = sys.argv[1]
    apps, clusters, files = (int(x) for x in (sys.argv[2:] + ["750", "250", "20"][len(sys.argv) - 2:])[:3])
    write(directory, documents(apps, clusters), files)
