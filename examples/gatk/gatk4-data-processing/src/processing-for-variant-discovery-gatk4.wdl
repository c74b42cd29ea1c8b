version 1.0

## Data pre-processing for variant discovery (GATK4 best practices), reduced to
## its essential steps: each unmapped BAM of the sample is aligned with BWA-MEM
## and merged back with its unmapped reads; the read groups are then combined,
## duplicates marked, the result coordinate-sorted, and base qualities
## recalibrated (BQSR).
##
## Input: unaligned BAM files (not FASTQ), one OSS path per line in
## flowcell_unmapped_bams_list. Output: an analysis-ready BAM and its index.
##
## Software: GATK 4.0.0.0, Picard 2.13.2, genomes-in-the-cloud 2.3.0-1501082129.
## Runtime attributes use the BatchCompute backend syntax: every task takes its
## machine as a `cluster` string ("OnDemand <instance type> <image>") and its
## system disk as "<type> <GB>"; override them per task in the inputs file.

workflow PreProcessingForVariantDiscovery_GATK4 {
  input {
    String sample_name
    String ref_name
    File flowcell_unmapped_bams_list
    String unmapped_bam_suffix = ".unmapped.bam"

    File ref_fasta
    File ref_fasta_index
    File ref_dict
    File ref_alt
    File ref_amb
    File ref_ann
    File ref_bwt
    File ref_pac
    File ref_sa

    File dbSNP_vcf
    File dbSNP_vcf_index
    Array[File] known_indels_sites_VCFs
    Array[File] known_indels_sites_indices

    String gatk_docker = "broadinstitute/gatk:4.0.0.0"
    String gotc_docker = "broadinstitute/genomes-in-the-cloud:2.3.0-1501082129"

    String flowcell_cluster = "OnDemand ecs.sn1ne.4xlarge img-ubuntu-vpc"
    String agg_cluster = "OnDemand ecs.sn1ne.xlarge img-ubuntu-vpc"
    Int flowcell_disk_size = 100
    Int agg_disk_size = 300
  }

  String base_file_name = sample_name + "." + ref_name
  Array[File] flowcell_unmapped_bams = read_lines(flowcell_unmapped_bams_list)

  scatter (unmapped_bam in flowcell_unmapped_bams) {
    String sub_name = basename(unmapped_bam, unmapped_bam_suffix)

    call SamToFastqAndBwaMem {
      input:
        input_bam = unmapped_bam,
        output_bam_basename = sub_name + ".unmerged",
        ref_fasta = ref_fasta,
        ref_fasta_index = ref_fasta_index,
        ref_dict = ref_dict,
        ref_alt = ref_alt,
        ref_amb = ref_amb,
        ref_ann = ref_ann,
        ref_bwt = ref_bwt,
        ref_pac = ref_pac,
        ref_sa = ref_sa,
        docker = gotc_docker,
        cluster_config = flowcell_cluster,
        disk_size = flowcell_disk_size
    }

    call MergeBamAlignment {
      input:
        unmapped_bam = unmapped_bam,
        aligned_bam = SamToFastqAndBwaMem.output_bam,
        output_bam_basename = sub_name + ".aligned.unsorted",
        ref_fasta = ref_fasta,
        ref_fasta_index = ref_fasta_index,
        ref_dict = ref_dict,
        docker = gatk_docker,
        cluster_config = agg_cluster,
        disk_size = flowcell_disk_size
    }
  }

  call MarkDuplicates {
    input:
      input_bams = MergeBamAlignment.output_bam,
      output_bam_basename = base_file_name + ".aligned.unsorted.duplicates_marked",
      metrics_filename = base_file_name + ".duplicate_metrics",
      docker = gatk_docker,
      cluster_config = agg_cluster,
      disk_size = agg_disk_size
  }

  call SortAndFixTags {
    input:
      input_bam = MarkDuplicates.output_bam,
      output_bam_basename = base_file_name + ".aligned.duplicate_marked.sorted",
      ref_fasta = ref_fasta,
      ref_fasta_index = ref_fasta_index,
      ref_dict = ref_dict,
      docker = gatk_docker,
      cluster_config = agg_cluster,
      disk_size = agg_disk_size
  }

  call BaseRecalibrator {
    input:
      input_bam = SortAndFixTags.output_bam,
      input_bam_index = SortAndFixTags.output_bam_index,
      recalibration_report_filename = base_file_name + ".recal_data.csv",
      dbSNP_vcf = dbSNP_vcf,
      dbSNP_vcf_index = dbSNP_vcf_index,
      known_indels_sites_VCFs = known_indels_sites_VCFs,
      known_indels_sites_indices = known_indels_sites_indices,
      ref_fasta = ref_fasta,
      ref_fasta_index = ref_fasta_index,
      ref_dict = ref_dict,
      docker = gatk_docker,
      cluster_config = agg_cluster,
      disk_size = agg_disk_size
  }

  call ApplyBQSR {
    input:
      input_bam = SortAndFixTags.output_bam,
      input_bam_index = SortAndFixTags.output_bam_index,
      recalibration_report = BaseRecalibrator.recalibration_report,
      output_bam_basename = base_file_name,
      ref_fasta = ref_fasta,
      ref_fasta_index = ref_fasta_index,
      ref_dict = ref_dict,
      docker = gatk_docker,
      cluster_config = agg_cluster,
      disk_size = agg_disk_size
  }

  output {
    File duplication_metrics = MarkDuplicates.duplicate_metrics
    File bqsr_report = BaseRecalibrator.recalibration_report
    File analysis_ready_bam = ApplyBQSR.recalibrated_bam
    File analysis_ready_bam_index = ApplyBQSR.recalibrated_bam_index
  }
}

# Unmapped BAM -> interleaved FASTQ -> BWA-MEM -> aligned BAM (unsorted).
task SamToFastqAndBwaMem {
  input {
    File input_bam
    String output_bam_basename
    File ref_fasta
    File ref_fasta_index
    File ref_dict
    File ref_alt
    File ref_amb
    File ref_ann
    File ref_bwt
    File ref_pac
    File ref_sa
    Int threads = 16
    String docker
    String cluster_config
    Int disk_size
  }

  command <<<
    set -o pipefail
    set -e
    java -Xms3000m -jar /usr/gitc/picard.jar \
      SamToFastq \
      INPUT=~{input_bam} \
      FASTQ=/dev/stdout \
      INTERLEAVE=true \
      NON_PF=true \
    | /usr/gitc/bwa mem -K 100000000 -p -v 3 -t ~{threads} -Y ~{ref_fasta} /dev/stdin - \
        2> >(tee ~{output_bam_basename}.bwa.stderr.log >&2) \
    | samtools view -1 - > ~{output_bam_basename}.bam
  >>>

  runtime {
    docker: docker
    cluster: cluster_config
    systemDisk: "cloud_efficiency ~{disk_size}"
  }

  output {
    File output_bam = "~{output_bam_basename}.bam"
    File bwa_stderr_log = "~{output_bam_basename}.bwa.stderr.log"
  }
}

# Aligned BAM + unmapped BAM -> one BAM keeping the original read data.
task MergeBamAlignment {
  input {
    File unmapped_bam
    File aligned_bam
    String output_bam_basename
    File ref_fasta
    File ref_fasta_index
    File ref_dict
    String docker
    String cluster_config
    Int disk_size
  }

  command <<<
    set -e
    gatk --java-options "-Dsamjdk.compression_level=5 -Xms3000m" \
      MergeBamAlignment \
      --VALIDATION_STRINGENCY SILENT \
      --EXPECTED_ORIENTATIONS FR \
      --ATTRIBUTES_TO_RETAIN X0 \
      --ALIGNED_BAM ~{aligned_bam} \
      --UNMAPPED_BAM ~{unmapped_bam} \
      --OUTPUT ~{output_bam_basename}.bam \
      --REFERENCE_SEQUENCE ~{ref_fasta} \
      --PAIRED_RUN true \
      --SORT_ORDER "unsorted" \
      --IS_BISULFITE_SEQUENCE false \
      --ALIGNED_READS_ONLY false \
      --CLIP_ADAPTERS false \
      --MAX_RECORDS_IN_RAM 2000000 \
      --ADD_MATE_CIGAR true \
      --MAX_INSERTIONS_OR_DELETIONS -1 \
      --PRIMARY_ALIGNMENT_STRATEGY MostDistant \
      --UNMAPPED_READ_STRATEGY COPY_TO_TAG \
      --ALIGNER_PROPER_PAIR_FLAGS true \
      --UNMAP_CONTAMINANT_READS true
  >>>

  runtime {
    docker: docker
    cluster: cluster_config
    systemDisk: "cloud_efficiency ~{disk_size}"
  }

  output {
    File output_bam = "~{output_bam_basename}.bam"
  }
}

# All read groups of the sample -> one BAM with duplicates marked.
task MarkDuplicates {
  input {
    Array[File] input_bams
    String output_bam_basename
    String metrics_filename
    String docker
    String cluster_config
    Int disk_size
  }

  command <<<
    set -e
    gatk --java-options "-Dsamjdk.compression_level=5 -Xms4000m" \
      MarkDuplicates \
      --INPUT ~{sep=" --INPUT " input_bams} \
      --OUTPUT ~{output_bam_basename}.bam \
      --METRICS_FILE ~{metrics_filename} \
      --VALIDATION_STRINGENCY SILENT \
      --OPTICAL_DUPLICATE_PIXEL_DISTANCE 2500 \
      --ASSUME_SORT_ORDER "queryname" \
      --CREATE_MD5_FILE true
  >>>

  runtime {
    docker: docker
    cluster: cluster_config
    systemDisk: "cloud_efficiency ~{disk_size}"
  }

  output {
    File output_bam = "~{output_bam_basename}.bam"
    File duplicate_metrics = "~{metrics_filename}"
  }
}

# Coordinate sort, then set the NM, MD and UQ tags against the reference.
task SortAndFixTags {
  input {
    File input_bam
    String output_bam_basename
    File ref_fasta
    File ref_fasta_index
    File ref_dict
    String docker
    String cluster_config
    Int disk_size
  }

  command <<<
    set -o pipefail
    set -e
    gatk --java-options "-Dsamjdk.compression_level=5 -Xms4000m" \
      SortSam \
      --INPUT ~{input_bam} \
      --OUTPUT /dev/stdout \
      --SORT_ORDER "coordinate" \
      --CREATE_INDEX false \
      --CREATE_MD5_FILE false \
    | gatk --java-options "-Dsamjdk.compression_level=5 -Xms500m" \
      SetNmAndUqTags \
      --INPUT /dev/stdin \
      --OUTPUT ~{output_bam_basename}.bam \
      --CREATE_INDEX true \
      --CREATE_MD5_FILE true \
      --REFERENCE_SEQUENCE ~{ref_fasta}
  >>>

  runtime {
    docker: docker
    cluster: cluster_config
    systemDisk: "cloud_efficiency ~{disk_size}"
  }

  output {
    File output_bam = "~{output_bam_basename}.bam"
    File output_bam_index = "~{output_bam_basename}.bai"
  }
}

# Model the systematic errors in base quality scores.
task BaseRecalibrator {
  input {
    File input_bam
    File input_bam_index
    String recalibration_report_filename
    File dbSNP_vcf
    File dbSNP_vcf_index
    Array[File] known_indels_sites_VCFs
    Array[File] known_indels_sites_indices
    File ref_fasta
    File ref_fasta_index
    File ref_dict
    String docker
    String cluster_config
    Int disk_size
  }

  command <<<
    set -e
    gatk --java-options "-Xms4000m" \
      BaseRecalibrator \
      -R ~{ref_fasta} \
      -I ~{input_bam} \
      --use-original-qualities \
      -O ~{recalibration_report_filename} \
      --known-sites ~{dbSNP_vcf} \
      --known-sites ~{sep=" --known-sites " known_indels_sites_VCFs}
  >>>

  runtime {
    docker: docker
    cluster: cluster_config
    systemDisk: "cloud_efficiency ~{disk_size}"
  }

  output {
    File recalibration_report = "~{recalibration_report_filename}"
  }
}

# Apply the recalibration model: the analysis-ready BAM.
task ApplyBQSR {
  input {
    File input_bam
    File input_bam_index
    File recalibration_report
    String output_bam_basename
    File ref_fasta
    File ref_fasta_index
    File ref_dict
    String docker
    String cluster_config
    Int disk_size
  }

  command <<<
    set -e
    gatk --java-options "-Xms3000m" \
      ApplyBQSR \
      -R ~{ref_fasta} \
      -I ~{input_bam} \
      -O ~{output_bam_basename}.bam \
      -bqsr ~{recalibration_report} \
      --static-quantized-quals 10 \
      --static-quantized-quals 20 \
      --static-quantized-quals 30 \
      --add-output-sam-program-record \
      --create-output-bam-md5 \
      --use-original-qualities
  >>>

  runtime {
    docker: docker
    cluster: cluster_config
    systemDisk: "cloud_efficiency ~{disk_size}"
  }

  output {
    File recalibrated_bam = "~{output_bam_basename}.bam"
    File recalibrated_bam_index = "~{output_bam_basename}.bai"
  }
}
