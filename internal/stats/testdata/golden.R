# Golden values for internal/stats from R's survey package.
#
# Run from this directory:  Rscript golden.R
# It writes the input data sets (*.csv) and golden.json, which the Go tests
# read; commit all of them so the tests need no R. The designs and the
# exact R calls are listed in `cases` below; every domain estimate is made
# on design[by == level, ], which is what svyby() does, and checked against
# svyby() itself.
suppressMessages({
  library(survey)
  library(jsonlite)
})
options(warn = 1)

set.seed(20260115)

## ---- synthetic stratified cluster samples --------------------------------

# make_sample draws households in PSUs within strata. psus[h] is the number
# of PSUs of stratum h; doms[[h]] the domain labels that occur there.
make_sample <- function(psus, doms, base) {
  out <- list()
  for (h in seq_along(psus)) {
    for (j in seq_len(psus[h])) {
      m <- sample(5:12, 1)
      u <- rnorm(1, 0, 0.8)
      age <- sample(c("a1", "a2", "a3"), m, replace = TRUE, prob = c(.3, .4, .3))
      sex <- sample(c("F", "M"), m, replace = TRUE)
      d <- data.frame(
        stratum = sprintf("S%d", h),
        psu = as.character(j), # labels repeat across strata: nest=TRUE
        w = round(base[h] * runif(m, 0.6, 1.6), 3),
        age = age, sex = sex,
        dom = sample(doms[[h]], m, replace = TRUE),
        y1 = rbinom(m, 1, plogis(1 + u + 0.4 * (age == "a3") - 0.3 * (sex == "M"))),
        y2 = rbinom(m, 1, plogis(0.4 + u)),
        y3 = rbinom(m, 1, plogis(-0.3 + 0.5 * u + 0.3 * (age == "a1"))),
        y4 = rbinom(m, 1, plogis(2 + u)),
        score = round(pmin(100, pmax(0, rnorm(m, 75 + 8 * u, 14))), 1)
      )
      d$y1[runif(m) < 0.08] <- NA
      d$score[runif(m) < 0.10] <- NA
      out[[length(out) + 1]] <- d
    }
  }
  do.call(rbind, out)
}

psus <- c(4, 3, 5, 3, 4, 6, 3, 4)
doms <- list(c("A", "B", "C"), c("A", "B"), c("A", "B", "C"), c("A"),
             c("A", "B"), c("A", "B"), c("B"), c("A", "B"))
synth <- make_sample(psus, doms, base = c(20, 35, 50, 80, 120, 60, 40, 90))
# Domain C in stratum 5: one PSU only (the stratum has several).
synth$dom[synth$stratum == "S5" & synth$psu == "2"][1:3] <- "C"
# Domain D: a few responses of one PSU, all without y1 (an empty cell).
idx <- which(synth$stratum == "S2" & synth$psu == "1")[1:3]
synth$dom[idx] <- "D"
synth$y1[idx] <- NA
# Responses outside every domain (by-variable missing).
synth$dom[c(7, 40, 41)] <- NA
# fpc as PSU counts (stratum S7 is a census: f = 0) and as fractions.
synth$fpc_n <- c(20, 9, 50, 12, 32, 30, 3, 28)[as.integer(sub("S", "", synth$stratum))]
synth$fpc_f <- c(.2, .3, .1, .25, .125, .2, 1, .15)[as.integer(sub("S", "", synth$stratum))]
synth$ps <- paste(synth$age, synth$sex, sep = ".")
write.csv(synth, "synth.csv", row.names = FALSE, na = "NA")

lpsus <- c(3, 1, 4, 1, 3, 2)
ldoms <- list(c("A", "B"), c("A", "B"), c("A", "B"), c("B"), c("A", "B"), c("A"))
lonely <- make_sample(lpsus, ldoms, base = c(30, 50, 40, 70, 20, 60))
# No y1 in S6: R drops the stratum before onestage, which matters for the
# "average" policy's #strata.
lonely$y1[lonely$stratum == "S6"] <- NA
# S2 is lonely but a census (fpc 1); S4 is lonely and sampled.
lonely$fpc_n <- c(12, 1, 9, 3, 10, 7)[as.integer(sub("S", "", lonely$stratum))]
write.csv(lonely, "lonely.csv", row.names = FALSE, na = "NA")

## ---- R's api data --------------------------------------------------------
data(api)
yn <- function(x) as.integer(x == "Yes")
ast <- data.frame(stype = apistrat$stype, snum = apistrat$snum, pw = apistrat$pw,
                  fpc = apistrat$fpc, api00 = apistrat$api00, sch_wide = yn(apistrat$sch.wide),
                  both = yn(apistrat$both), acs_k3 = apistrat$acs.k3, awards = apistrat$awards)
write.csv(ast, "apistrat.csv", row.names = FALSE, na = "NA")
ac1 <- data.frame(one = "all", dnum = apiclus1$dnum, pw = apiclus1$pw, fpc = apiclus1$fpc,
                  api00 = apiclus1$api00, sch_wide = yn(apiclus1$sch.wide),
                  avg_ed = apiclus1$avg.ed, stype = apiclus1$stype)
write.csv(ac1, "apiclus1.csv", row.names = FALSE, na = "NA")
ac2 <- data.frame(one = "all", dnum = apiclus2$dnum, pw = apiclus2$pw, fpc1 = apiclus2$fpc1,
                  api00 = apiclus2$api00, sch_wide = yn(apiclus2$sch.wide),
                  enroll = apiclus2$enroll, stype = apiclus2$stype)
write.csv(ac2, "apiclus2.csv", row.names = FALSE, na = "NA")

## ---- population counts for calibration ------------------------------------
ps_pop <- aggregate(w ~ ps, synth, sum)
ps_pop$Freq <- round(ps_pop$w * c(1.10, 0.92, 1.05, 0.97, 1.12, 0.9))
ps_pop$w <- NULL
age_pop <- data.frame(age = c("a1", "a2", "a3"), Freq = c(9000, 12500, 10200))
sex_pop <- data.frame(sex = c("F", "M"), Freq = c(16100, 15600))
rake_control <- list(epsilon = 1e-7, maxit = 100)

## ---- two-stage samples drawn without replacement ------------------------------
# Streets (strata) hold communities of M households; n_h communities are
# drawn with probability proportional to M (those with n_h·M/ΣM ≥ 1 are
# taken with certainty, p1 = 1, and the rest share the remaining draws),
# then m households by simple random sampling in each (p2 = m/M); some do
# not respond. Weights are 1/(p1·p2) times a non-response factor per
# community. The variance is R's pps="brewer" with fpc = ~p1 + p2.
pps_probs <- function(M, n) {
  p <- rep(0, length(M))
  cert <- rep(FALSE, length(M))
  repeat {
    p[!cert] <- (n - sum(cert)) * M[!cert] / sum(M[!cert])
    if (!any(p[!cert] >= 1)) break
    cert <- cert | p >= 1
    p[cert] <- 1
  }
  p
}
make_wor <- function(streets, tag) {
  out <- list()
  for (h in seq_along(streets)) {
    st <- streets[[h]]
    p1 <- pps_probs(st$M, st$n)
    cert <- which(p1 >= 1)
    rest <- setdiff(seq_along(st$M), cert)
    k <- st$n - length(cert)
    drawn <- sort(c(cert, if (k > 0) rest[sample.int(length(rest), k, prob = st$M[rest])] else integer(0)))
    for (j in drawn) {
      m <- sample(st$m, 1)
      resp <- max(2, m - rbinom(1, m, 0.15))
      u <- rnorm(1, 0, 0.7)
      age <- sample(c("a1", "a2", "a3"), resp, replace = TRUE, prob = c(.3, .4, .3))
      sex <- sample(c("F", "M"), resp, replace = TRUE)
      d <- data.frame(
        street = sprintf("%sS%d", tag, h),
        community = sprintf("%sS%dC%02d", tag, h, j),
        hh = sprintf("%03d", seq_len(resp)),
        p1 = p1[j], p2 = m / st$M[j], M = st$M[j],
        w = round(st$M[j] / (p1[j] * m) * m / resp * runif(resp, 0.9, 1.1), 4),
        age = age, sex = sex,
        dom = sample(st$doms, resp, replace = TRUE),
        y1 = rbinom(resp, 1, plogis(1 + u + 0.4 * (age == "a3") - 0.3 * (sex == "M"))),
        y2 = rbinom(resp, 1, plogis(0.4 + u)),
        y3 = rbinom(resp, 1, plogis(-0.3 + 0.5 * u + 0.3 * (age == "a1"))),
        score = round(pmin(100, pmax(0, rnorm(resp, 75 + 8 * u, 14))), 1)
      )
      d$y1[runif(resp) < 0.08] <- NA
      d$score[runif(resp) < 0.10] <- NA
      out[[length(out) + 1]] <- d
    }
  }
  d <- do.call(rbind, out)
  d$ps <- paste(d$age, d$sex, sep = ".")
  d
}
# Without certainty: sizes even enough that no community reaches p1 = 1.
wor_plain <- make_wor(list(
  list(M = sample(300:700, 12), n = 6, m = 8:12, doms = c("A", "B", "C")),
  list(M = sample(300:700, 15), n = 4, m = 8:12, doms = c("A", "B")),
  list(M = sample(300:700, 9), n = 5, m = 8:12, doms = c("A", "B", "C")),
  list(M = sample(300:700, 20), n = 3, m = 8:12, doms = c("B", "C"))), "P")
stopifnot(all(wor_plain$p1 < 1))
write.csv(wor_plain, "wor_plain.csv", row.names = FALSE, na = "NA")
# With certainty: 12 communities with 10 drawn (several certain), a street
# whose communities are all taken, one with a single large community.
wor_cert <- make_wor(list(
  list(M = c(sample(200:900, 10), 2500, 3000), n = 10, m = 8:12, doms = c("A", "B", "C")),
  list(M = sample(200:900, 5), n = 5, m = 6:10, doms = c("A", "B")),
  list(M = c(sample(200:500, 7), 4000), n = 3, m = 8:12, doms = c("A", "B", "C")),
  list(M = sample(200:900, 14), n = 4, m = 8:12, doms = c("A", "C"))), "C")
stopifnot(any(wor_cert$p1 == 1), any(wor_cert$p1 < 1))
write.csv(wor_cert, "wor_cert.csv", row.names = FALSE, na = "NA")
wps_pop <- aggregate(w ~ ps, wor_cert, sum)
wps_pop$Freq <- round(wps_pop$w * c(1.08, 0.93, 1.04, 0.96, 1.1, 0.92))
wps_pop$w <- NULL
wage_pop <- data.frame(age = c("a1", "a2", "a3"), Freq = round(sum(wor_cert$w) * c(.31, .38, .33)))
wsex_pop <- data.frame(sex = c("F", "M"), Freq = round(sum(wor_cert$w) * c(.52, .5)))

## ---- the cases ---------------------------------------------------------------
rates <- c("y1", "y2", "y3", "y4")
cases <- list(
  list(name = "strat_cluster", data = "synth.csv", strata = "stratum", cluster = "psu", weight = "w",
       by = "dom", vars = c(rates, "score"), composite = c(y2 = .3, y3 = .3, y4 = .4), trim = TRUE),
  list(name = "fpc_count", data = "synth.csv", strata = "stratum", cluster = "psu", weight = "w",
       fpc = "fpc_n", by = "dom", vars = c("y1", "y2", "score")),
  list(name = "fpc_fraction", data = "synth.csv", strata = "stratum", cluster = "psu", weight = "w",
       fpc = "fpc_f", by = "dom", vars = c("y1", "y2", "score"), level = 0.9),
  list(name = "poststratified", data = "synth.csv", strata = "stratum", cluster = "psu", weight = "w",
       by = "dom", vars = c(rates, "score"), composite = c(y2 = .3, y3 = .3, y4 = .4),
       calibration = list(type = "poststratify", var = "ps", population = ps_pop)),
  list(name = "raked", data = "synth.csv", strata = "stratum", cluster = "psu", weight = "w",
       by = "dom", vars = c(rates, "score"), composite = c(y2 = .5, y4 = .5),
       calibration = list(type = "rake", margins = list(list(var = "age", population = age_pop),
                                                        list(var = "sex", population = sex_pop)),
                          epsilon = rake_control$epsilon, maxit = rake_control$maxit)),
  list(name = "lonely_fail", data = "lonely.csv", strata = "stratum", cluster = "psu", weight = "w",
       by = "dom", vars = c("y1"), lonely = "fail"),
  list(name = "lonely_remove", data = "lonely.csv", strata = "stratum", cluster = "psu", weight = "w",
       by = "dom", vars = c("y1", "y2", "score"), lonely = "remove"),
  list(name = "lonely_certainty", data = "lonely.csv", strata = "stratum", cluster = "psu", weight = "w",
       by = "dom", vars = c("y1", "y2", "score"), lonely = "certainty"),
  list(name = "lonely_adjust", data = "lonely.csv", strata = "stratum", cluster = "psu", weight = "w",
       by = "dom", vars = c("y1", "y2", "score"), lonely = "adjust"),
  list(name = "lonely_average", data = "lonely.csv", strata = "stratum", cluster = "psu", weight = "w",
       by = "dom", vars = c("y1", "y2", "score"), lonely = "average"),
  list(name = "lonely_adjust_fpc", data = "lonely.csv", strata = "stratum", cluster = "psu", weight = "w",
       fpc = "fpc_n", by = "dom", vars = c("y1", "y2"), lonely = "adjust"),
  list(name = "apistrat", data = "apistrat.csv", strata = "stype", cluster = "snum", weight = "pw",
       fpc = "fpc", by = "awards", vars = c("sch_wide", "both", "api00", "acs_k3")),
  list(name = "apiclus1", data = "apiclus1.csv", strata = "one", cluster = "dnum", weight = "pw",
       fpc = "fpc", by = "stype", vars = c("sch_wide", "api00", "avg_ed")),
  list(name = "apiclus2", data = "apiclus2.csv", strata = "one", cluster = "dnum", weight = "pw",
       fpc = "fpc1", by = "stype", vars = c("sch_wide", "api00", "enroll"), level = 0.9),
  # Two stages without replacement (pps = "brewer", fpc = ~p1 + p2).
  list(name = "wor_plain", data = "wor_plain.csv", strata = "street", cluster = "community", weight = "w",
       cluster2 = "hh", p1 = "p1", p2 = "p2", by = "dom", vars = c("y1", "y2", "y3", "score")),
  list(name = "wor_cert", data = "wor_cert.csv", strata = "street", cluster = "community", weight = "w",
       cluster2 = "hh", p1 = "p1", p2 = "p2", by = "dom", vars = c("y1", "y2", "y3", "score")),
  list(name = "wor_cert_level90", data = "wor_cert.csv", strata = "street", cluster = "community", weight = "w",
       cluster2 = "hh", p1 = "p1", p2 = "p2", by = "street", vars = c("y1", "y2"), level = 0.9),
  list(name = "wor_cert_poststratified", data = "wor_cert.csv", strata = "street", cluster = "community",
       weight = "w", cluster2 = "hh", p1 = "p1", p2 = "p2", by = "dom", vars = c("y1", "y2", "y3", "score"),
       calibration = list(type = "poststratify", var = "ps", population = wps_pop)),
  list(name = "wor_cert_raked", data = "wor_cert.csv", strata = "street", cluster = "community",
       weight = "w", cluster2 = "hh", p1 = "p1", p2 = "p2", by = "street", vars = c("y1", "y2", "score"),
       calibration = list(type = "rake", margins = list(list(var = "age", population = wage_pop),
                                                        list(var = "sex", population = wsex_pop)),
                          epsilon = rake_control$epsilon, maxit = rake_control$maxit))
)

## ---- estimation --------------------------------------------------------------
num <- function(x) if (length(x) == 0 || is.null(x)) NA_real_ else as.numeric(x)[1]
try2 <- function(expr) tryCatch(as.numeric(expr), error = function(e) c(NA_real_, NA_real_))
israte <- function(x) all(x[!is.na(x)] %in% c(0, 1))

# Degrees of freedom of a (domain) design: R's degf, except that in a
# two-stage design drawn without replacement a certainty community (p1 = 1)
# is self-representing, a stratum of its own whose households are its PSUs
# (minyi's rule): the degf of svydesign(ids = ~c + hh, strata = ~s, ...)
# with s = street:community and c = household for its rows. The variance
# stays that of the design given (whose Brewer stage centres a street's
# community totals over all its communities), so the intervals are R's
# with df given: svyciprop(..., df =), confint(..., df =), and the beta
# interval written out from svyciprop's own code with this df.
wdf <- function(sub) {
  v <- model.frame(sub)
  if (is.null(v$.p1)) return(degf(sub))
  v <- v[weights(sub) != 0, ]
  cert <- v$.p1 >= 1
  length(unique(ifelse(cert, paste(v$.strata, v$.cluster, v$.cluster2), paste(v$.strata, v$.cluster)))) -
    length(unique(ifelse(cert, paste(v$.strata, v$.cluster), v$.strata)))
}

one <- function(sub, v, level) {
  f <- as.formula(paste0("~", v))
  dat <- model.frame(sub)[[v]][weights(sub) != 0]
  n <- sum(!is.na(dat))
  r <- list(n = n, nrow = nrow(sub), df = wdf(sub))
  m <- tryCatch(svymean(f, sub, na.rm = TRUE, deff = TRUE), error = function(e) NULL)
  r$est <- if (is.null(m)) NA else num(coef(m))
  r$se <- if (is.null(m)) NA else num(SE(m))
  r$deff <- if (is.null(m)) NA else num(deff(m))
  r$sumw <- sum(weights(sub)[!is.na(model.frame(sub)[[v]])])
  t <- tryCatch(svytotal(f, sub, na.rm = TRUE, deff = TRUE), error = function(e) NULL)
  r$total <- if (is.null(t)) NA else num(coef(t))
  r$total_se <- if (is.null(t)) NA else num(SE(t))
  r$total_deff <- if (is.null(t)) NA else num(deff(t))
  r$wald <- try2(confint(m, level = level, df = r$df))
  if (israte(model.frame(sub)[[v]]) && n > 0) {
    r$logit <- try2(attr(suppressWarnings(svyciprop(f, sub, method = "logit", level = level, df = r$df, na.rm = TRUE)), "ci"))
    # The logit interval computed directly (what minyi does; equals the
    # above wherever R's confint.svyglm does not break down at df = 1).
    p <- r$est
    tq <- qt(1 - (1 - level) / 2, r$df)
    h <- tq * r$se / (p * (1 - p))
    r$logitd <- plogis(qlogis(p) + c(-h, h))
    # The arcsine interval (minyi's default for rates): R's, and computed
    # directly with the angle stopped at 0 and pi/2 (where R's sin^2 folds
    # back, minyi ends the interval at 0 or 1).
    r$asin <- try2(attr(suppressWarnings(svyciprop(f, sub, method = "asin", level = level, df = r$df, na.rm = TRUE)), "ci"))
    ha <- tq * r$se / (2 * sqrt(p * (1 - p)))
    r$asind <- sin(pmin(pmax(asin(sqrt(p)) + c(-ha, ha), 0), pi / 2))^2
    if (r$df == degf(sub)) {
      r$beta <- try2(attr(svyciprop(f, sub, method = "beta", level = level, na.rm = TRUE), "ci"))
    } else {
      # svyciprop's beta takes degf(design), not df: its code with r$df.
      alpha <- 1 - level
      n.eff <- p * (1 - p) / r$se^2 * (qt(alpha / 2, nrow(sub) - 1) / qt(alpha / 2, r$df))^2
      r$beta <- c(qbeta(alpha / 2, n.eff * p, n.eff * (1 - p) + 1), qbeta(1 - alpha / 2, n.eff * p + 1, n.eff * (1 - p)))
    }
    mm <- try2(attr(svyciprop(f, sub, method = "mean", level = level, df = r$df, na.rm = TRUE), "ci"))
    stopifnot(isTRUE(all.equal(mm, r$wald)))
  }
  r
}

build <- function(cs) {
  d <- read.csv(cs$data, stringsAsFactors = FALSE)
  d[[cs$cluster]] <- as.character(d[[cs$cluster]])
  d$.strata <- d[[cs$strata]]
  d$.cluster <- d[[cs$cluster]]
  d$.w <- d[[cs$weight]]
  if (!is.null(cs$cluster2)) {
    d$.cluster2 <- d[[cs$cluster2]]
    d$.p1 <- d[[cs$p1]]
    d$.p2 <- d[[cs$p2]]
    des <- svydesign(ids = ~.cluster + .cluster2, strata = ~.strata, weights = ~.w, fpc = ~.p1 + .p2,
                     pps = "brewer", nest = TRUE, data = d)
  } else if (!is.null(cs$fpc)) {
    d$.fpc <- d[[cs$fpc]]
    des <- svydesign(ids = ~.cluster, strata = ~.strata, weights = ~.w, fpc = ~.fpc, nest = TRUE, data = d)
  } else {
    des <- svydesign(ids = ~.cluster, strata = ~.strata, weights = ~.w, nest = TRUE, data = d)
  }
  cal <- cs$calibration
  if (!is.null(cal) && cal$type == "poststratify") {
    des <- postStratify(des, as.formula(paste0("~", cal$var)), cal$population)
  }
  if (!is.null(cal) && cal$type == "rake") {
    des <- rake(des, lapply(cal$margins, function(m) as.formula(paste0("~", m$var))),
                lapply(cal$margins, function(m) m$population),
                control = list(epsilon = cal$epsilon, maxit = cal$maxit))
  }
  des
}

run_case <- function(cs) {
  options(survey.lonely.psu = if (is.null(cs$lonely)) "fail" else cs$lonely)
  level <- if (is.null(cs$level)) 0.95 else cs$level
  des <- build(cs)
  out <- list(name = cs$name, data = cs$data, strata = cs$strata, cluster = cs$cluster,
              cluster2 = cs$cluster2, p1 = cs$p1, p2 = cs$p2, weight = cs$weight, fpc = cs$fpc, by = cs$by, level = level,
              lonely = if (is.null(cs$lonely)) "fail" else cs$lonely, vars = I(cs$vars))
  if (!is.null(cs$calibration)) {
    cal <- cs$calibration
    if (cal$type == "poststratify") {
      out$calibration <- list(type = cal$type, margins = list(list(var = cal$var,
        population = setNames(as.list(cal$population$Freq), cal$population[[cal$var]]))))
    } else {
      out$calibration <- list(type = cal$type, epsilon = cal$epsilon, maxit = cal$maxit,
        margins = lapply(cal$margins, function(m) list(var = m$var,
          population = setNames(as.list(m$population$Freq), m$population[[m$var]]))))
      out$calibrated_weights <- unname(weights(des))
    }
  }
  failed <- tryCatch({ svymean(as.formula(paste0("~", cs$vars[1])), des, na.rm = TRUE); NULL },
                     error = function(e) conditionMessage(e))
  if (!is.null(failed)) {
    out$error <- failed
    return(out)
  }
  byv <- model.frame(des)[[cs$by]]
  lvls <- sort(unique(byv[!is.na(byv)]))
  res <- list()
  for (v in cs$vars) {
    r <- suppressWarnings(one(des, v, level))
    r$variable <- v
    r$domain <- NA
    res[[length(res) + 1]] <- r
    for (lev in lvls) {
      r <- suppressWarnings(one(des[byv %in% lev, ], v, level))
      r$variable <- v
      r$domain <- as.character(lev)
      res[[length(res) + 1]] <- r
    }
    # The loop is svyby: check it.
    sb <- svyby(as.formula(paste0("~", v)), as.formula(paste0("~", cs$by)), des, svymean,
                na.rm = TRUE, deff = TRUE)
    mine <- sapply(Filter(function(r) r$variable == v && !is.na(r$domain) && r$n > 0, res), `[[`, "se")
    theirs <- SE(sb)[sb[[cs$by]] %in% sapply(Filter(function(r) r$variable == v && !is.na(r$domain) && r$n > 0, res), `[[`, "domain")]
    stopifnot(isTRUE(all.equal(unname(mine), unname(theirs))))
  }
  out$results <- res
  if (!is.null(cs$composite)) {
    a <- cs$composite
    f <- as.formula(paste0("~", paste(names(a), collapse = "+")))
    comp <- function(sub) {
      s <- svycontrast(svymean(f, sub), a)
      list(est = num(coef(s)), se = num(SE(s)), df = degf(sub))
    }
    cr <- list(c(list(domain = NA), comp(des)))
    for (lev in lvls) cr[[length(cr) + 1]] <- c(list(domain = as.character(lev)), comp(des[byv %in% lev, ]))
    out$composite <- list(weights = as.list(a), results = cr)
  }
  if (isTRUE(cs$trim)) {
    w <- weights(des)
    lo <- unname(quantile(w, 0.05))
    hi <- unname(quantile(w, 0.9))
    out$trim <- list(lower = lo, upper = hi,
                     once = unname(weights(trimWeights(des, upper = hi, lower = lo))),
                     strict = unname(weights(trimWeights(des, upper = hi, lower = lo, strict = TRUE))))
  }
  out
}

## ---- comparisons between rounds ------------------------------------------------
# Two rounds are independent samples: the difference of their estimates has
# variance va + vb and Welch–Satterthwaite degrees of freedom. Here the
# "rounds" are the two without-replacement samples, overall and by domain.
compare_rounds <- function(a, b, vars, by, level = 0.95) {
  options(survey.lonely.psu = "fail")
  da <- build(a)
  db <- build(b)
  out <- list()
  for (v in vars) {
    f <- as.formula(paste0("~", v))
    for (lev in c(NA, "A", "B", "C")) {
      sa <- if (is.na(lev)) da else da[model.frame(da)[[by]] %in% lev, ]
      sb <- if (is.na(lev)) db else db[model.frame(db)[[by]] %in% lev, ]
      ma <- svymean(f, sa, na.rm = TRUE)
      mb <- svymean(f, sb, na.rm = TRUE)
      va <- num(vcov(ma))
      vb <- num(vcov(mb))
      dfa <- wdf(sa)
      dfb <- wdf(sb)
      df <- (va + vb)^2 / (va^2 / dfa + vb^2 / dfb)
      est <- num(coef(ma)) - num(coef(mb))
      se <- sqrt(va + vb)
      h <- qt(1 - (1 - level) / 2, df) * se
      out[[length(out) + 1]] <- list(variable = v, domain = if (is.na(lev)) NA else lev,
        a = list(est = num(coef(ma)), se = sqrt(va), df = dfa),
        b = list(est = num(coef(mb)), se = sqrt(vb), df = dfb),
        est = est, se = se, df = df, ci = c(est - h, est + h))
    }
  }
  out
}
case_named <- function(n) Filter(function(cs) cs$name == n, cases)[[1]]

golden <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               cases = lapply(cases, run_case),
               compare = compare_rounds(case_named("wor_cert"), case_named("wor_plain"), c("y1", "y2", "score"), "dom"))
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), "golden.json")
cat("wrote golden.json with", length(golden$cases), "cases\n")
