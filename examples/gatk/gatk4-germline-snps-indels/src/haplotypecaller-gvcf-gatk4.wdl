version 1.0

## Germline SNPs and indels (GATK4 best practices): HaplotypeCaller in GVCF mode
## on the analysis-ready BAM written by the data-processing workflow, scattered
## over calling intervals, then the per-interval GVCFs merged into one.
##
## Set input_bam and input_bam_index to the BAM and index produced by
## PreProcessingForVariantDiscovery_GATK4.
##
## Software: GATK 4.0.0.0. Runtime attributes use the BatchCompute backend
## syntax (cluster, systemDisk).

workflow HaplotypeCallerGvcf_GATK4 {
  input {
    File input_bam
    File input_bam_index
    File ref_dict
    File ref_fasta
    File ref_fasta_index
    File scattered_calling_intervals_list
    Boolean make_gvcf = true

    String gatk_docker = "broadinstitute/gatk:4.0.0.0"
    String caller_cluster = "OnDemand ecs.sn1ne.xlarge img-ubuntu-vpc"
    String merge_cluster = "OnDemand ecs.sn1ne.large img-ubuntu-vpc"
    Int caller_disk_size = 100
    Int merge_disk_size = 60
  }

  Array[File] scattered_calling_intervals = read_lines(scattered_calling_intervals_list)
  String sample_basename = basename(input_bam, ".bam")
  String output_suffix = if make_gvcf then ".g.vcf.gz" else ".vcf.gz"
  String output_filename = sample_basename + output_suffix

  scatter (interval_file in scattered_calling_intervals) {
    call HaplotypeCaller {
      input:
        input_bam = input_bam,
        input_bam_index = input_bam_index,
        interval_list = interval_file,
        output_filename = output_filename,
        ref_dict = ref_dict,
        ref_fasta = ref_fasta,
        ref_fasta_index = ref_fasta_index,
        make_gvcf = make_gvcf,
        docker = gatk_docker,
        cluster_config = caller_cluster,
        disk_size = caller_disk_size
    }
  }

  call MergeGVCFs {
    input:
      input_vcfs = HaplotypeCaller.output_vcf,
      input_vcfs_indexes = HaplotypeCaller.output_vcf_index,
      output_filename = output_filename,
      docker = gatk_docker,
      cluster_config = merge_cluster,
      disk_size = merge_disk_size
  }

  output {
    File output_vcf = MergeGVCFs.output_vcf
    File output_vcf_index = MergeGVCFs.output_vcf_index
  }
}

# Call variants on one interval list.
task HaplotypeCaller {
  input {
    File input_bam
    File input_bam_index
    File interval_list
    String output_filename
    File ref_dict
    File ref_fasta
    File ref_fasta_index
    Boolean make_gvcf
    String docker
    String cluster_config
    Int disk_size
  }

  command <<<
    set -e
    gatk --java-options "-Xmx6G -XX:GCTimeLimit=50 -XX:GCHeapFreeLimit=10" \
      HaplotypeCaller \
      -R ~{ref_fasta} \
      -I ~{input_bam} \
      -L ~{interval_list} \
      -O ~{output_filename} \
      -contamination 0 \
      ~{true="-ERC GVCF" false="" make_gvcf}
  >>>

  runtime {
    docker: docker
    cluster: cluster_config
    systemDisk: "cloud_efficiency ~{disk_size}"
  }

  output {
    File output_vcf = "~{output_filename}"
    File output_vcf_index = "~{output_filename}.tbi"
  }
}

# Merge the per-interval (G)VCFs of the sample.
task MergeGVCFs {
  input {
    Array[File] input_vcfs
    Array[File] input_vcfs_indexes
    String output_filename
    String docker
    String cluster_config
    Int disk_size
  }

  command <<<
    set -e
    gatk --java-options "-Xmx2G" \
      MergeVcfs \
      --INPUT ~{sep=" --INPUT " input_vcfs} \
      --OUTPUT ~{output_filename}
  >>>

  runtime {
    docker: docker
    cluster: cluster_config
    systemDisk: "cloud_efficiency ~{disk_size}"
  }

  output {
    File output_vcf = "~{output_filename}"
    File output_vcf_index = "~{output_filename}.tbi"
  }
}
