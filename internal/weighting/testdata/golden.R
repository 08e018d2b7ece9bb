# Golden values for internal/weighting from R's survey package.
#
# Run from this directory after 'go test -run TestGoldenAgainstR -update'
# (which writes round_poststratify.csv and round_rake.csv — what 'minyi
# round export' gives for the weighttest round after each weighting: the
# final weight, the weight before calibration and the answers calibrated
# on — and population.csv):  Rscript golden.R
# It writes golden.json; commit them all so the tests need no R.
suppressMessages({
  library(survey)
  library(jsonlite)
})
options(warn = 1)

pop <- read.csv("population.csv", stringsAsFactors = FALSE, fileEncoding = "UTF-8")
names(pop) <- c("street", "sex", "age", "Freq")
pop$E1 <- match(pop$sex, c("男", "女"))
pop$E2 <- match(pop$age, c("18—39岁", "40—59岁", "60岁及以上"))
stopifnot(!anyNA(pop$E1), !anyNA(pop$E2))

inds <- c("aware", "support", "q1", "q2", "q3", "q4", "satisfied")
input <- function(m) {
  d <- read.csv(sprintf("round_%s.csv", m), stringsAsFactors = FALSE, fileEncoding = "UTF-8-BOM")
  svydesign(ids = ~psu, strata = ~street, weights = ~input_weight, data = d, nest = TRUE)
}
ps <- postStratify(input("poststratify"), ~street + E1 + E2, aggregate(Freq ~ street + E1 + E2, pop, sum))
rk <- rake(input("rake"), list(~street + E1, ~street + E2),
           list(aggregate(Freq ~ street + E1, pop, sum), aggregate(Freq ~ street + E2, pop, sum)),
           control = list(epsilon = 1, maxit = 10))
# Bounded calibration as minyi forms it: one 0/1 column per level of every
# margin (street × E1, then street × E2, levels in the population table's
# order), so that R's Newton steps and its stopping rule are minyi's; the
# bounds are those of golden_test.go.
bounded <- function(m, calfun, bounds) {
  d <- read.csv(sprintf("round_%s.csv", m), stringsAsFactors = FALSE, fileEncoding = "UTF-8-BOM")
  popv <- c()
  for (mg in list(c("street", "E1"), c("street", "E2"))) {
    pk <- aggregate(as.formula(paste("Freq ~", paste(mg, collapse = " + "))), pop, sum)
    pk <- pk[order(match(pk$street, unique(pop$street))), ]
    keys <- do.call(paste, c(pk[mg], sep = "|"))
    dk <- do.call(paste, c(d[mg], sep = "|"))
    for (i in seq_along(keys)) {
      nm <- paste0("c", length(popv) + 1)
      d[[nm]] <- as.numeric(dk == keys[i])
      popv <- c(popv, setNames(pk$Freq[i], nm))
    }
  }
  des <- svydesign(ids = ~psu, strata = ~street, weights = ~input_weight, data = d, nest = TRUE)
  calibrate(des, as.formula(paste("~0 +", paste(names(popv), collapse = " + "))), population = popv,
            bounds = bounds, calfun = calfun)
}
designs <- list(poststratify = ps, rake = rk,
                calibrate_raking = bounded("calibrate_raking", "raking", c(0.5, 1.6)),
                calibrate_logit = bounded("calibrate_logit", "logit", c(0.6, 1.6)))
for (m in c("calibrate_raking", "calibrate_logit")) {
  g <- weights(designs[[m]]) / model.frame(designs[[m]])$input_weight
  cat(m, ": g from", min(g), "to", max(g), "\n")
}

out <- list(weights = list(), figures = list())
for (m in names(designs)) {
  x <- designs[[m]]
  w <- weights(x)
  d <- model.frame(x)
  out$weights[[m]] <- as.list(setNames(w, d$response_id))
  # The exported final weights are R's.
  stopifnot(max(abs(w - d$weight) / w) < 1e-9)
  for (v in inds) {
    f <- as.formula(paste0("~", v))
    est <- svymean(f, x, na.rm = TRUE)
    out$figures[[length(out$figures) + 1]] <- list(method = m, by = "", domain = "", indicator = v,
      estimate = as.numeric(coef(est)), se = as.numeric(SE(est)))
    b <- svyby(f, ~street, x, svymean, na.rm = TRUE)
    for (i in seq_len(nrow(b))) {
      out$figures[[length(out$figures) + 1]] <- list(method = m, by = "street", domain = b$street[i], indicator = v,
        estimate = as.numeric(coef(b))[i], se = as.numeric(SE(b))[i])
    }
    # Respondent groups: age group, and age group within street.
    ages <- c("18—39岁", "40—59岁", "60岁及以上")
    b <- svyby(f, ~E2, x, svymean, na.rm = TRUE)
    for (i in seq_len(nrow(b))) {
      out$figures[[length(out$figures) + 1]] <- list(method = m, by = "group:E2", domain = ages[b$E2[i]], indicator = v,
        estimate = as.numeric(coef(b))[i], se = as.numeric(SE(b))[i])
    }
    b <- svyby(f, ~street + E2, x, svymean, na.rm = TRUE)
    for (i in seq_len(nrow(b))) {
      out$figures[[length(out$figures) + 1]] <- list(method = m, by = "group:E2/street",
        domain = paste(b$street[i], "×", ages[b$E2[i]]), indicator = v,
        estimate = as.numeric(coef(b))[i], se = as.numeric(SE(b))[i])
    }
  }
}
# Key drivers: support on the four item indicators.
out$drivers <- list()
for (m in names(designs)) {
  fit <- svyglm(support ~ q1 + q2 + q3 + q4, designs[[m]], family = quasibinomial())
  ct <- summary(fit)$coefficients
  out$drivers[[m]] <- list(names = rownames(ct), estimate = unname(ct[, 1]), se = unname(ct[, 2]),
    t = unname(ct[, 3]), p = unname(ct[, 4]), df = fit$df.residual)
}
out$r_version <- R.version.string
out$survey_version <- as.character(packageVersion("survey"))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "golden.json")
