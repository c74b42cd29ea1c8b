version 1.0

# Runtime keys: `clustr` is a misspelling of Cromwell BatchCompute's `cluster`
# (neither Cromwell's BCS backend nor miniwdl knows it), and `memory` is a
# Google-only key that the BCS backend warns about and ignores. The plan warns
# about both; the run still works, the call taking its cluster from the
# WorkflowRun's spec.runtime.cluster.

workflow typo_runtime {
  call hello

  output {
    String greeting = hello.greeting
  }
}

task hello {
  command <<<
    echo "hello from typo_runtime"
  >>>

  output {
    String greeting = read_string(stdout())
  }

  runtime {
    clustr: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    memory: "4G"
  }
}
