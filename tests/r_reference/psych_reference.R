# Reference numbers for tests/test_scoring.py and tests/test_reliability.py, from R's psych.
#
# Rerun (R >= 4.2 with psych and GPArotation; Debian: apt-get install r-base-core r-cran-psych
# r-cran-gparotation), from the project root:
#   .venv/bin/python tests/r_reference/make_inputs.py /tmp/sample_items.csv
#   Rscript tests/r_reference/psych_reference.R /tmp/sample_items.csv ../shared/data/pisaUSA15.csv tests/r_reference
# It prints the numbers pinned in the tests and writes tests/r_reference/psych_scores_sample.csv
# and psych_scores_pisa.csv (psych::scoreItems scores, compared in full by test_scoring.py).
# The numbers in the tests came from psych 2.2.9, GPArotation 2022.10-2, R 4.2.2 (Debian 12).

suppressPackageStartupMessages({library(psych); library(GPArotation)})
args <- commandArgs(trailingOnly = TRUE)
sample_csv <- if (length(args) >= 1) args[1] else "/tmp/sample_items.csv"
pisa_csv <- if (length(args) >= 2) args[2] else "../shared/data/pisaUSA15.csv"
out_dir <- if (length(args) >= 3) args[3] else "tests/r_reference"
cat("psych", as.character(packageVersion("psych")), "GPArotation",
    as.character(packageVersion("GPArotation")), R.version.string, "\n")
options(digits = 10, width = 200)

# One scale: x holds its items, already reverse keyed. Rows where every item is missing are
# dropped first: psych::alpha counts every row it is given in the Feldt interval (nsub), and the
# toolkit's n is the students who answered at least one item of the scale.
report <- function(name, x) {
  x <- x[rowSums(!is.na(x)) > 0, , drop = FALSE]
  a <- psych::alpha(x, use = "pairwise", warnings = FALSE)   # default use="pairwise"
  om <- psych::omega(x, nfactors = 1, fm = "minres", flip = FALSE, plot = FALSE)
  cat("\n==", name, "== n =", nrow(x), "\n")
  cat(sprintf("raw_alpha %.6f std.alpha %.6f average_r %.6f feldt_lower %.6f feldt_upper %.6f omega_tot %.6f\n",
              a$total$raw_alpha, a$total$std.alpha, a$total$average_r,
              a$feldt$lower.ci, a$feldt$upper.ci, om$omega.tot))
  st <- data.frame(n = a$item.stats$n, mean = a$item.stats$mean, sd = a$item.stats$sd,
                   r.drop = a$item.stats$r.drop, alpha_if_dropped = a$alpha.drop$raw_alpha,
                   row.names = colnames(x))
  print(round(st, 6))
}

# (a) the committed sample: six scales of four items, the fourth reverse keyed (6 - x).
s <- read.csv(sample_csv, check.names = FALSE)
items <- s[, -1]
scales <- list(interest = c("int1", "int2", "int3", "int4"),
               self_efficacy = c("se1", "se2", "se3", "se4"),
               effort_regulation = c("er1", "er2", "er3", "er4"),
               help_seeking = c("hs1", "hs2", "hs3", "hs4"),
               collaboration = c("co1", "co2", "co3", "co4"),
               test_anxiety = c("ta1", "ta2", "ta3", "ta4"))
reversed <- c("int4", "se4", "er4", "hs4", "co4", "ta4")
keyed <- items
keyed[, reversed] <- 6 - keyed[, reversed]
for (k in names(scales)) report(k, keyed[, scales[[k]]])

# The forgotten reverse key: self-efficacy with se4 left as answered.
report("self_efficacy, se4 NOT reversed", items[, scales$self_efficacy])

# Scale scores: psych::scoreItems, mean of the answered items (impute = "none"); a student with
# no answered item gets NA. keys: "-se4" marks a reverse-keyed item, min/max give the 1..5 scale.
keys <- lapply(names(scales), function(k) {
  ifelse(scales[[k]] %in% reversed, paste0("-", scales[[k]]), scales[[k]])
})
names(keys) <- names(scales)
sc <- psych::scoreItems(keys, items, totals = FALSE, impute = "none", min = 1, max = 5)
scores <- data.frame(pseudonym = s[, 1], sc$scores, check.names = FALSE)
write.csv(scores, file.path(out_dir, "psych_scores_sample.csv"), row.names = FALSE, na = "")
cat("\nscoreItems sample: first rows\n"); print(head(scores, 3))
cat("column means:\n"); print(colMeans(sc$scores, na.rm = TRUE))

# (b) PISA 2015 USA (tidyLPA's example data): the four indices treated as one 4-item scale.
p <- read.csv(pisa_csv)
report("pisa (4 indices as one scale)", p)
# The same keyed: high instrumental_mot and self_efficacy values mean low motivation and
# efficacy in this file (they correlate negatively with the other two), so they are reversed on
# their 1..4 range (5 - x).
pk <- p
pk[, c("instrumental_mot", "self_efficacy")] <- 5 - pk[, c("instrumental_mot", "self_efficacy")]
report("pisa keyed (instrumental_mot, self_efficacy reversed as 5 - x)", pk)
psc <- psych::scoreItems(list(pisa = colnames(p)), p, totals = FALSE, impute = "none")
pskc <- psych::scoreItems(list(pisa_keyed = colnames(pk)), pk, totals = FALSE, impute = "none")
write.csv(data.frame(row = seq_len(nrow(p)), pisa = psc$scores[, 1], pisa_keyed = pskc$scores[, 1]),
          file.path(out_dir, "psych_scores_pisa.csv"), row.names = FALSE, na = "")
cat("scoreItems pisa: mean", mean(psc$scores[, 1], na.rm = TRUE), "NA", sum(is.na(psc$scores[, 1])), "\n")
