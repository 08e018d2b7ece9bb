# Golden values for internal/weighting's remedies for a refused
# calibration answer, from R's survey package.
#
# Run from this directory after 'go test -run TestMissingRemediesAgainstR
# -update' (which writes missing_collapse.csv and missing_hotdeck.csv: the
# responses export, 'minyi round export --what responses', of the weighttest
# round with three refused age groups a street, after raking with each
# remedy) and with population.csv from TestGoldenAgainstR:  Rscript missing.R
# It writes missing.json; commit them all so the tests need no R.
#
# R does the remedy itself from the raw answers (E2 = 9, 拒答): it counts
# the refusals among the oldest (collapse:3), or gives each the answer of
# its donor, checking that the donor is of the same street and sex and
# stated an age group (hot deck); then it rakes to street × sex and
# street × age group.
suppressMessages({
  library(survey)
  library(jsonlite)
})
options(warn = 1)

pop <- read.csv("population.csv", stringsAsFactors = FALSE, fileEncoding = "UTF-8")
names(pop) <- c("street", "sex", "agegroup", "Freq")
pop$E1 <- match(pop$sex, c("男", "女"))
pop$age <- match(pop$agegroup, c("18—39岁", "40—59岁", "60岁及以上"))
stopifnot(!anyNA(pop$E1), !anyNA(pop$age))

inds <- c("aware", "support", "q1", "q2", "q3", "q4", "satisfied")
out <- list(weights = list(), figures = list())
for (m in c("missing_collapse", "missing_hotdeck")) {
  d <- read.csv(sprintf("%s.csv", m), stringsAsFactors = FALSE, fileEncoding = "UTF-8-BOM")
  d <- d[!is.na(d$weight), ] # screened-out interviews carry no weight
  # The weight before calibration is its steps' product.
  stopifnot(max(abs(d$base_weight * d$sample_factor * d$nr_factor * d$hh_factor / d$input_weight - 1)) < 1e-12)
  refused <- d$E2 == 9
  stopifnot(sum(refused) == 6)
  d$age <- d$E2
  if (m == "missing_collapse") {
    d$age[refused] <- 3
  } else {
    donor <- as.integer(sub(".*hot deck, response ([0-9]+)\\).*", "\\1", d$imputed[refused]))
    dd <- d[match(donor, d$response_id), ]
    stopifnot(!anyNA(dd$response_id), all(dd$street == d$street[refused]), all(dd$E1 == d$E1[refused]), all(dd$E2 != 9))
    d$age[refused] <- dd$E2
  }
  # What minyi calibrated on is what R derived.
  stopifnot(all(d$age == d$cal_E2), all(d$E1 == d$cal_E1))
  des <- svydesign(ids = ~psu, strata = ~street, weights = ~input_weight, data = d, nest = TRUE)
  x <- rake(des, list(~street + E1, ~street + age),
            list(aggregate(Freq ~ street + E1, pop, sum), aggregate(Freq ~ street + age, pop, sum)),
            control = list(epsilon = 1, maxit = 10))
  w <- weights(x)
  stopifnot(max(abs(w - d$weight) / w) < 1e-9)
  out$weights[[m]] <- as.list(setNames(w, d$response_id))
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
  }
}
out$r_version <- R.version.string
out$survey_version <- as.character(packageVersion("survey"))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "missing.json")
