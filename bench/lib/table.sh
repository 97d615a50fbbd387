# table: align '|'-separated rows on stdin into columns (column -t -s '|' where util-linux is missing).
table() {
  awk -F'|' '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } if (NF > n) n = NF; rows = NR }
    END { for (r = 1; r <= rows; r++) { line = ""; for (i = 1; i <= n; i++) line = line sprintf(i < n ? "%-" w[i] "s  " : "%s", c[r, i]); sub(/ +$/, "", line); print line } }'
}
