# mclust's solutions on the R data sets of tests/data/profiles (faithful, diabetes, banknote; raw
# and standardised with the sample SD), models EEI, VVI, EEE, VVV (tidyLPA 1, 2, 3, 6), G = 1..6,
# for tests/profiles/test_profiles_search.py. mclust initialises EM by model-based hierarchical
# clustering (one deterministic start) and has no minimum profile size or variance floor; the
# test applies the engine's guard to each solution and continues the engine's EM from it
# (weights, means and covariances written here).
# Run from the project root (needs apt-get install r-base-core r-cran-mclust r-cran-jsonlite):
#   Rscript tests/r_reference/mclust_r_data.R tests/data/profiles tests/r_reference/mclust_r_data.json
suppressMessages({library(mclust); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
out <- list(mclust = as.character(packageVersion("mclust")), R = R.version.string, fits = list())
for (name in c("faithful", "diabetes", "banknote")) {
  df <- read.csv(file.path(args[1], paste0(name, ".csv")))
  X <- as.matrix(df[, sapply(df, is.numeric)])
  for (std in c(FALSE, TRUE)) {
    Z <- if (std) scale(X) else X
    for (m in c("EEI", "VVI", "EEE", "VVV")) for (g in 1:6) {
      fit <- Mclust(Z, G = g, modelNames = m, verbose = FALSE)
      key <- sprintf("%s/%s/%s/%d", name, if (std) "standardised" else "raw", m, g)
      if (is.null(fit)) { out$fits[[key]] <- list(loglik = NA); next }
      sig <- fit$parameters$variance$sigma
      out$fits[[key]] <- list(loglik = fit$loglik, df = fit$df, bic = fit$bic,
                              pro = as.numeric(fit$parameters$pro),
                              mean = lapply(seq_len(g), function(k) unname(as.numeric(fit$parameters$mean[, k]))),
                              sigma = lapply(seq_len(g), function(k) unname(sig[, , k])))
    }
  }
}
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE), args[2])
