version 1.0

# Timeouts. One call, `nap`, sleeps 30 s under the runtime attribute
# `timeout: 2` (Cromwell's BatchCompute per-call limit, in seconds; the value
# is the input `timeout_seconds`, 2 unless the inputs say otherwise).
#  - Call timeout: the engine ends the call after about 2 s and the run fails
#    naming call `nap`.
#  - Runner timeout: with "slow.nap.timeout_seconds": 600 and the
#    WorkflowRun's spec.runner.timeout: 5, the whole run ends after about 5 s,
#    its call job with it.
# Plain miniwdl ignores `timeout` (it warns "ignored runtime settings"), so
# there the run succeeds after 30 s.

workflow slow {
  call nap

  output {
    String said = nap.said
  }
}

task nap {
  input {
    Int seconds = 30
    Int timeout_seconds = 2
  }

  command <<<
    echo "nap: sleeping ~{seconds} s"
    echo "nap: sleeping ~{seconds} s" >&2
    sleep ~{seconds}
    echo "nap: woke up"
  >>>

  output {
    String said = read_string(stdout())
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: timeout_seconds
  }
}
