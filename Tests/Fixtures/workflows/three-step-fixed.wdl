version 1.0

# three-step.wdl with step3's command fixed: it looks for "step2", the line
# step2 really writes. Nothing else differs (workflow, step1, step2 and step3's
# inputs and outputs are byte for byte the same), so with call caching a re-run
# after three-step.wdl failed reuses step1 and step2 and runs step3 only.
#
# It succeeds: step3.txt holds three lines
#   step1 three-step / step2 done / step3 done, and lines = 3.

workflow three_step {
  input {
    String label = "three-step"
  }

  call step1 {
    input: label = label
  }
  call step2 {
    input: previous = step1.out
  }
  call step3 {
    input: previous = step2.out
  }

  output {
    File result = step3.out
    Int lines = step3.lines
  }
}

task step1 {
  input {
    String label
  }

  command <<<
    echo "step1 ~{label}" > step1.txt
  >>>

  output {
    File out = "step1.txt"
  }
}

task step2 {
  input {
    File previous
  }

  command <<<
    cat ~{previous} > step2.txt
    echo "step2 done" >> step2.txt
  >>>

  output {
    File out = "step2.txt"
  }
}

task step3 {
  input {
    File previous
  }

  command <<<
    if ! grep -q '^step2' ~{previous}; then
      echo 'step3: ERROR: no line starting with "step2" in step2.txt' >&2
      exit 1
    fi
    cat ~{previous} > step3.txt
    echo "step3 done" >> step3.txt
    wc -l < step3.txt > lines.txt
  >>>

  output {
    File out = "step3.txt"
    Int lines = read_int("lines.txt")
  }
}
