"""
miniwdl-bcops: miniwdl plugins that run each WDL call as a BatchCompute job on the bcops engine,
with Cromwell's BCS runtime attributes and OSS layout, plus the runner behind the engine's public
App ``cromwell`` (``python -m bcops_miniwdl.runner``) and a plan-time inspector
(``python -m bcops_miniwdl.inspect``). See README.md.
"""

__version__ = "0.1.0"
