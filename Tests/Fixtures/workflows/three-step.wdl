version 1.0

# Call caching after a fix (the seed's Call Caching scenario): a chain of three
# calls whose third one fails. three-step-fixed.wdl is this file with only
# step3's command changed; re-run with call caching, step1 and step2 are cache
# hits and only step3 runs.
#
# step3 exits 1 with, on stderr:
#   step3: ERROR: no line starting with "step 2" in step2.txt

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
    if ! grep -q '^step 2' ~{previous}; then
      echo 'step3: ERROR: no line starting with "step 2" in step2.txt' >&2
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
