version 1.0

# Plan-time input checks. The workflow needs a File and an Int and has one
# optional input:
#   missing_inputs.reads        File    required
#   missing_inputs.min_length   Int     required
#   missing_inputs.label        String  optional (default "reads")
# missing-inputs.bad.inputs.json omits `reads`, gives `min_length` a string
# and names an input that does not exist (`min_lenght`);
# missing-inputs.good.inputs.json is a valid set (its File is reads.txt, in
# this directory).

workflow missing_inputs {
  input {
    File reads
    Int min_length
    String label = "reads"
  }

  call count_long {
    input: reads = reads, min_length = min_length, label = label
  }

  output {
    Int n_long = count_long.n_long
  }
}

task count_long {
  input {
    File reads
    Int min_length
    String label
  }

  command <<<
    awk -v min=~{min_length} 'length($0) >= min { n++ } END { print n + 0 }' ~{reads} > n.txt
    echo "~{label}: $(cat n.txt) lines of at least ~{min_length} characters"
  >>>

  output {
    Int n_long = read_int("n.txt")
  }
}
