# Reference fits for tests/test_profiles_results.py::test_fit_table_agrees_with_r_mclust
# (R 4 + mclust 6.0.0). Input: the complete cases of the sample's scale scores (236 x 6), written by
#   .venv/bin/python -c "import sys; sys.path.insert(0, 'tests'); from _profiles_helpers import sample_scores; \
#     sample_scores()[0].dropna().to_csv('/tmp/sample_complete.csv', float_format='%.10g')"
# Run: Rscript tests/r_reference/mclust_profiles.R
# mclust's BIC and ICL are 2LL - k ln n (higher is better): the toolkit's are their negatives.
suppressMessages(library(mclust))
x <- read.csv("/tmp/sample_complete.csv", row.names = 1)
cat("mclust", as.character(packageVersion("mclust")), "n", nrow(x), "\n")
for (m in c("EEI", "VVI", "EEE")) for (g in 1:5) {
  fit <- Mclust(x, G = g, modelNames = m, verbose = FALSE)
  if (is.null(fit)) next
  cat(sprintf("%s %d loglik=%.4f df=%d bic=%.4f icl=%.4f\n", m, g, fit$loglik, fit$df, fit$bic, icl(fit)))
}
# Output (mclust 6.0.0):
# EEI 1 loglik=-1938.4027 df=12 bic=-3942.3714 icl=-3942.3714
# EEI 2 loglik=-1809.2593 df=19 bic=-3722.3315 icl=-3745.3687
# EEI 3 loglik=-1747.1445 df=26 bic=-3636.3486 icl=-3675.0878
# EEI 4 loglik=-1669.2159 df=33 bic=-3518.7382 icl=-3547.1520
# EEI 5 loglik=-1665.4856 df=40 bic=-3549.5245 icl=-3608.8718
# VVI 1 loglik=-1938.4027 df=12 bic=-3942.3714 icl=-3942.3714
# VVI 2 loglik=-1789.0589 df=25 bic=-3714.7135 icl=-3732.1501
# VVI 3 loglik=-1707.1276 df=38 bic=-3621.8809 icl=-3645.6898
# VVI 4 loglik=-1640.9782 df=51 bic=-3560.6117 icl=-3595.9783
# VVI 5 loglik=-1624.5487 df=64 bic=-3598.7826 icl=-3649.5091
# EEE 1 loglik=-1782.9407 df=27 bic=-3713.4049 icl=-3713.4049
# EEE 2 loglik=-1749.3717 df=34 bic=-3684.5138 icl=-3703.0378
# EEE 3 loglik=-1706.7368 df=41 bic=-3637.4908 icl=-3669.0136
# EEE 4 loglik=-1661.0760 df=48 bic=-3584.4160 icl=-3609.2586
# EEE 5 loglik=-1657.2244 df=55 bic=-3614.9595 icl=-3668.4836
