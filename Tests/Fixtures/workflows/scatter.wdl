version 1.0

# A scatter over three names, then a gather. Cromwell's layout puts the shards
# under call-greet/shard-0/ … shard-2/ and the gather under call-gather/.

workflow scatter_gather {
  input {
    Array[String] names = ["alice", "bob", "carol"]
  }

  scatter (name in names) {
    call greet {
      input: name = name
    }
  }

  call gather {
    input: parts = greet.out
  }

  output {
    Array[File] parts = greet.out
    File combined = gather.combined
    Int count = gather.count
  }
}

task greet {
  input {
    String name
  }

  command <<<
    echo "hello ~{name}" > ~{name}.txt
  >>>

  output {
    File out = "~{name}.txt"
  }
}

task gather {
  input {
    Array[File] parts
  }

  command <<<
    cat ~{sep=" " parts} > combined.txt
    wc -l < combined.txt > count.txt
  >>>

  output {
    File combined = "combined.txt"
    Int count = read_int("count.txt")
  }
}
