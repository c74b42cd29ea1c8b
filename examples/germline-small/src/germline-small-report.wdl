version 1.0

## germline_small_report: a summary of the calls that germline_small wrote.
##
## Its input is an oss:// path, the VCF as the germline-small run left it
## under its outputsDir (see workflowruns.yaml); the engine makes it a local
## file before the call starts. Tools: bcftools.

workflow germline_small_report {
  input {
    File calls
  }

  call summarize {
    input: vcf = calls
  }

  output {
    File report = summarize.report
    File stats = summarize.stats
    Int n_snps = summarize.n_snps
    Int n_het = summarize.n_het
    Int n_hom_alt = summarize.n_hom_alt
  }
}

task summarize {
  input {
    File vcf
  }

  command <<<
    set -euo pipefail
    bcftools stats ~{vcf} > stats.txt
    bcftools view -H -v snps ~{vcf} | wc -l > n_snps.txt
    bcftools view -H -g het ~{vcf} | wc -l > n_het.txt
    bcftools view -H -i 'GT="AA"' ~{vcf} | wc -l > n_hom_alt.txt
    {
      echo "sample:   $(bcftools query -l ~{vcf} | paste -sd, -)"
      echo "records:  $(bcftools view -H ~{vcf} | wc -l)"
      echo "SNPs:     $(cat n_snps.txt) ($(cat n_het.txt) het, $(cat n_hom_alt.txt) hom-alt)"
      echo "ts/tv:    $(awk -F'\t' '$1 == "TSTV" { print $5 }' stats.txt)"
      echo
      echo "CHROM	POS	REF	ALT	GT	DP	QUAL"
      bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t[%GT]\t%DP\t%QUAL\n' ~{vcf}
    } > report.txt
    cat report.txt
  >>>

  output {
    File report = "report.txt"
    File stats = "stats.txt"
    Int n_snps = read_int("n_snps.txt")
    Int n_het = read_int("n_het.txt")
    Int n_hom_alt = read_int("n_hom_alt.txt")
  }

  runtime {
    cluster: "OnDemand ecs.sn1.medium img-ubuntu-vpc"
    timeout: 300
  }
}
