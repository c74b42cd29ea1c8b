task globber {
  command <<<
  for i in `seq 1 5`
  do
  mkdir out-$i
  echo globbing is my number $i best hobby > out-$i/$i.txt
  done
  >>>
  output {
  Array[File] outFiles = glob("out-*/*.txt")
  }
}

workflow test {
  call globber
}
