version 1.0

## germline_small: a germline-style pipeline small enough to run anywhere in
## a few seconds, on data it makes itself.
##
##   make_reference   a random two-contig reference (2 x 2,500 bp by default)
##                    and two haplotypes carrying six planted SNPs
##                    (three homozygous, three heterozygous); truth.tsv lists them
##   simulate_reads   wgsim (Debian's samtools package): 2,000 read pairs of
##                    2 x 100 bp, half from each haplotype, fixed seeds
##   bwa_index        bwa index + samtools faidx
##   align            bwa mem
##   sort_index       samtools sort + samtools index
##   call_variants    bcftools mpileup | bcftools call, scattered over the contigs
##   merge_calls      bcftools concat of the shards -> calls.vcf.gz (+ .tbi),
##                    the number of variant records, and how many planted SNPs
##                    were found with the right genotype
##
## Everything is deterministic: the reference comes from a Park-Miller
## generator seeded with `seed` (plain awk arithmetic, exact in every awk),
## the reads from wgsim -S. Tools: bwa, samtools, bcftools, wgsim, awk —
## `apt-get install bwa samtools bcftools` on Debian 12. No docker: runtime
## sections use Cromwell's BatchCompute attributes (cluster, timeout).
##
## Inputs are copies or symlinks that must not be modified (read-only mounts
## in containers, symlinks under miniwdl's bare backend), so tasks that index
## a file copy it into their work directory first.

workflow germline_small {
  input {
    Int seed = 7
    Int contig_length = 2500
    Int read_pairs = 2000
    String sample = "sample1"
  }

  call make_reference {
    input: seed = seed, contig_length = contig_length
  }

  call simulate_reads {
    input:
      hap1 = make_reference.hap1,
      hap2 = make_reference.hap2,
      read_pairs = read_pairs,
      seed = seed
  }

  call bwa_index {
    input: ref_fa = make_reference.ref_fa
  }

  call align {
    input:
      ref_fa = bwa_index.indexed_fa,
      ref_index = bwa_index.bwa_files,
      reads_1 = simulate_reads.reads_1,
      reads_2 = simulate_reads.reads_2,
      sample = sample
  }

  call sort_index {
    input: sam = align.sam, sample = sample
  }

  # One shard per contig: chr1, chr2.
  scatter (region in make_reference.contigs) {
    call call_variants {
      input:
        ref_fa = make_reference.ref_fa,
        bam = sort_index.bam,
        bai = sort_index.bai,
        region = region
    }
  }

  call merge_calls {
    input:
      shard_vcfs = call_variants.vcf,
      truth = make_reference.truth
  }

  output {
    File calls = merge_calls.calls
    File calls_index = merge_calls.calls_index
    Int n_variants = merge_calls.n_variants
    Int planted_found = merge_calls.planted_found
    Int planted_total = merge_calls.planted_total
    File truth = make_reference.truth
    File bam = sort_index.bam
    File bai = sort_index.bai
  }
}

# A random reference of two contigs and two haplotypes with planted SNPs.
task make_reference {
  input {
    Int seed
    Int contig_length
  }

  command <<<
    set -euo pipefail
    # Park-Miller "minimal standard" generator: 16807 * state < 2^53, so the
    # arithmetic is exact in mawk, gawk and busybox awk alike.
    awk -v seed=~{seed} -v len=~{contig_length} '
      function rnd() { state = (16807 * state) % 2147483647; return state }
      function wrap(name, s, file,   i) {
        print ">" name > file
        for (i = 1; i <= length(s); i += 60) print substr(s, i, 60) > file
      }
      BEGIN {
        state = (seed % 2147483646) + 1
        for (i = 0; i < 10; i++) rnd()
        split("A C G T", base, " ")
        # planted SNPs: contig, position in thousandths of its length, genotype
        nsnp = split("1 200 1/1,1 480 0/1,1 760 1/1,2 160 0/1,2 440 1/1,2 800 0/1", snp, ",")
        for (c = 1; c <= 2; c++) {
          name = "chr" c
          print name > "contigs.txt"
          s = ""
          for (i = 1; i <= len; i++) s = s base[rnd() % 4 + 1]
          h1 = s; h2 = s
          for (k = 1; k <= nsnp; k++) {
            split(snp[k], f, " ")
            if (f[1] != c) continue
            pos = int(len * f[2] / 1000)
            ref = substr(s, pos, 1)
            for (b = 1; b <= 4; b++) if (base[b] == ref) r = b
            alt = base[(r + rnd() % 3) % 4 + 1]
            h1 = substr(h1, 1, pos - 1) alt substr(h1, pos + 1)
            if (f[3] == "1/1") h2 = substr(h2, 1, pos - 1) alt substr(h2, pos + 1)
            printf "%s\t%d\t%s\t%s\t%s\n", name, pos, ref, alt, f[3] > "truth.tsv"
          }
          wrap(name, s, "ref.fa")
          wrap(name, h1, "hap1.fa")
          wrap(name, h2, "hap2.fa")
        }
      }'
    echo "reference: $(grep -vc '>' ref.fa) sequence lines, $(wc -l < truth.tsv) planted SNPs"
    cat truth.tsv
  >>>

  output {
    File ref_fa = "ref.fa"
    File hap1 = "hap1.fa"
    File hap2 = "hap2.fa"
    File truth = "truth.tsv"
    Array[String] contigs = read_lines("contigs.txt")
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: 600
  }
}

# 2 x 100 bp pairs, insert 300 +- 30, 0.2 % sequencing errors, no further
# mutations (-r 0): half of the pairs from each haplotype.
task simulate_reads {
  input {
    File hap1
    File hap2
    Int read_pairs
    Int seed
  }

  Int half = read_pairs / 2

  command <<<
    set -euo pipefail
    wgsim -S ~{seed} -N ~{half} -1 100 -2 100 -d 300 -s 30 -e 0.002 -r 0 -R 0 -X 0 \
      ~{hap1} h1_1.fq h1_2.fq > /dev/null
    wgsim -S ~{seed + 1} -N ~{read_pairs - half} -1 100 -2 100 -d 300 -s 30 -e 0.002 -r 0 -R 0 -X 0 \
      ~{hap2} h2_1.fq h2_2.fq > /dev/null
    cat h1_1.fq h2_1.fq > reads_1.fq
    cat h1_2.fq h2_2.fq > reads_2.fq
    rm h1_1.fq h1_2.fq h2_1.fq h2_2.fq
    echo "read pairs: $(( $(wc -l < reads_1.fq) / 4 ))"
  >>>

  output {
    File reads_1 = "reads_1.fq"
    File reads_2 = "reads_2.fq"
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: 600
  }
}

task bwa_index {
  input {
    File ref_fa
  }

  command <<<
    set -euo pipefail
    cp -L ~{ref_fa} ref.fa
    bwa index ref.fa
    samtools faidx ref.fa
  >>>

  output {
    File indexed_fa = "ref.fa"
    File fai = "ref.fa.fai"
    Array[File] bwa_files = ["ref.fa.amb", "ref.fa.ann", "ref.fa.bwt", "ref.fa.pac", "ref.fa.sa"]
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: 600
  }
}

task align {
  input {
    File ref_fa
    Array[File] ref_index
    File reads_1
    File reads_2
    String sample
  }

  command <<<
    set -euo pipefail
    # bwa mem wants ref.fa.{amb,ann,bwt,pac,sa} beside ref.fa: put them together here.
    cp -L ~{ref_fa} ref.fa
    for f in ~{sep=" " ref_index}; do cp -L "$f" .; done
    bwa mem -t 2 -R '@RG\tID:rg1\tSM:~{sample}\tPL:ILLUMINA\tLB:lib1' \
      ref.fa ~{reads_1} ~{reads_2} > aligned.sam
  >>>

  output {
    File sam = "aligned.sam"
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: 600
  }
}

task sort_index {
  input {
    File sam
    String sample
  }

  command <<<
    set -euo pipefail
    samtools sort -@ 2 -o ~{sample}.bam ~{sam}
    samtools index ~{sample}.bam
    samtools flagstat ~{sample}.bam
  >>>

  output {
    File bam = "~{sample}.bam"
    File bai = "~{sample}.bam.bai"
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: 600
  }
}

# One shard: the variants of one contig.
task call_variants {
  input {
    File ref_fa
    File bam
    File bai
    String region
  }

  command <<<
    set -euo pipefail
    cp -L ~{ref_fa} ref.fa
    samtools faidx ref.fa
    # the BAM and its index side by side, whatever directories the inputs came in
    ln -s ~{bam} sample.bam
    ln -s ~{bai} sample.bam.bai
    bcftools mpileup -f ref.fa -r ~{region} -a AD,DP sample.bam -Ou \
      | bcftools call -mv -Oz -o ~{region}.vcf.gz
    echo "~{region}: $(bcftools view -H ~{region}.vcf.gz | wc -l) variant records"
  >>>

  output {
    File vcf = "~{region}.vcf.gz"
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: 600
  }
}

# Gather: concatenate the shards in contig order, index, count, and compare
# with the planted SNPs.
task merge_calls {
  input {
    Array[File] shard_vcfs
    File truth
  }

  command <<<
    set -euo pipefail
    bcftools concat -Oz -o calls.vcf.gz ~{sep=" " shard_vcfs}
    bcftools index -t calls.vcf.gz
    bcftools view -H calls.vcf.gz | wc -l > n_variants.txt
    bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t[%GT]\n' calls.vcf.gz > called.tsv
    # a planted SNP is found when a call has the same position, alleles and genotype
    awk 'NR == FNR { seen[$0] = 1; next } ($0 in seen) { n++ } END { print n + 0 }' \
      called.tsv ~{truth} > planted_found.txt
    wc -l < ~{truth} > planted_total.txt
    echo "variant records: $(cat n_variants.txt)"
    echo "planted SNPs found: $(cat planted_found.txt) of $(cat planted_total.txt)"
    cat called.tsv
  >>>

  output {
    File calls = "calls.vcf.gz"
    File calls_index = "calls.vcf.gz.tbi"
    Int n_variants = read_int("n_variants.txt")
    Int planted_found = read_int("planted_found.txt")
    Int planted_total = read_int("planted_total.txt")
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: 600
  }
}
