#!/bin/sh
# Counts the words of this instance's share of the lines of a text file: line k belongs to
# instance k mod BATCH_COMPUTE_DAG_INSTANCE_COUNT. Prints the five most frequent words.
file="${1:-words.txt}"
i="${BATCH_COMPUTE_DAG_INSTANCE_ID:-0}"
n="${BATCH_COMPUTE_DAG_INSTANCE_COUNT:-1}"
words=$(awk -v i="$i" -v n="$n" '(NR - 1) % n == i' "$file" | wc -w)
echo "instance $i of $n: $words words"
awk -v i="$i" -v n="$n" '(NR - 1) % n == i { for (w = 1; w <= NF; w++) c[tolower($w)]++ }
    END { for (k in c) print c[k], k }' "$file" | sort -k1,1nr -k2 | head -5
