version 1.0

# The seed's echo workflow (Cromwell workflow引擎支持, "3. 查看运行结果"): two
# calls, echo1 and echo2, each writing one output file, so that a run's tree
# under workingDir is
#   wf_echo/<tag>/<run id>/call-echo1/{script,rc,stdout,stderr,bcs-stdout/,bcs-stderr/,output1}
#   wf_echo/<tag>/<run id>/call-echo2/{…,output2}
# The messages come from echo.inputs.json ("wf_echo.echo1.message", …).

workflow wf_echo {
  call echo as echo1 {
    input: out_name = "output1"
  }
  call echo as echo2 {
    input: out_name = "output2"
  }

  output {
    File output1 = echo1.out
    File output2 = echo2.out
  }
}

task echo {
  input {
    String message
    String out_name
  }

  command <<<
    echo "~{message}" > ~{out_name}
    echo "~{message}"
  >>>

  output {
    File out = out_name
  }
}
