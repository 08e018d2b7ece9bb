# Golden cases for internal/sae: the area-level Fay-Herriot EBLUP with REML
# (Fisher scoring) and its Prasad-Rao / Datta-Lahiri MSE, written in base R
# from the formulas because R's sae package is not installable where minyi
# is built. The code follows sae 1.3's eblupFH (method = "REML", MAXITER =
# 100, PRECISION = 1e-4, start at median(vardir), truncation at 0) and
# mseFH (REML: g1 + g2 + 2 g3) line by line, with the m x m matrix P formed
# as sae forms it (the Go computes the traces without it).
#
#   Rscript internal/sae/testdata/fh.R   (from the repository root)
# writes internal/sae/testdata/fh_golden.json.

eblupFH_reml <- function(direct, vardir, X, MAXITER = 100, PRECISION = 1e-4) {
  m <- length(direct)
  Aest.REML <- 0
  Aest.REML[1] <- median(vardir)
  k <- 0
  diff <- PRECISION + 1
  while ((diff > PRECISION) & (k < MAXITER)) {
    k <- k + 1
    Vi <- 1 / (Aest.REML[k] + vardir)
    XtVi <- t(Vi * X)
    Q <- solve(XtVi %*% X)
    P <- diag(Vi) - t(XtVi) %*% Q %*% XtVi
    Py <- P %*% direct
    s <- (-0.5) * sum(diag(P)) + 0.5 * (t(Py) %*% Py)
    F <- 0.5 * sum(diag(P %*% P))
    Aest.REML[k + 1] <- Aest.REML[k] + s / F
    diff <- abs((Aest.REML[k + 1] - Aest.REML[k]) / Aest.REML[k])
  }
  converged <- !(k >= MAXITER && diff >= PRECISION)
  A <- max(Aest.REML[k + 1], 0)
  Vi <- 1 / (A + vardir)
  XtVi <- t(Vi * X)
  Q <- solve(XtVi %*% X)
  beta <- Q %*% XtVi %*% direct
  Xbeta <- X %*% beta
  eblup <- Xbeta + A * Vi * (direct - Xbeta)
  # mseFH, REML
  Bd <- vardir / (A + vardir)
  SumAD2 <- sum(Vi^2)
  VarA <- 2 / SumAD2
  g1 <- vardir * (1 - Bd)
  g2 <- g3 <- numeric(m)
  for (d in 1:m) {
    xd <- matrix(X[d, ], nrow = 1)
    g2[d] <- (Bd[d]^2) * xd %*% Q %*% t(xd)
    g3[d] <- (Bd[d]^2) * VarA / (A + vardir[d])
  }
  list(sigmav2 = A, raw = Aest.REML[k + 1], iterations = k, converged = converged,
       beta = as.numeric(beta), beta_cov = Q, gamma = A * Vi, synthetic = as.numeric(Xbeta),
       eblup = as.numeric(eblup), g1 = g1, g2 = g2, g3 = g3, mse = g1 + g2 + 2 * g3)
}

num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]")
mat <- function(M) paste0("[", paste(apply(M, 1, num), collapse = ", "), "]")

case_json <- function(name, direct, vardir, X, note) {
  f <- eblupFH_reml(direct, vardir, X)
  paste0('  {"name": "', name, '", "note": "', note, '",\n',
         '   "y": ', num(direct), ',\n   "psi": ', num(vardir), ',\n   "x": ', mat(X), ',\n',
         '   "sigmav2": ', sprintf("%.17g", f$sigmav2), ', "raw": ', sprintf("%.17g", f$raw),
         ', "iterations": ', f$iterations, ', "converged": ', tolower(f$converged), ',\n',
         '   "beta": ', num(f$beta), ',\n   "beta_cov": ', mat(f$beta_cov), ',\n',
         '   "gamma": ', num(f$gamma), ',\n   "synthetic": ', num(f$synthetic), ',\n',
         '   "eblup": ', num(f$eblup), ',\n   "g1": ', num(f$g1), ',\n   "g2": ', num(f$g2), ',\n',
         '   "g3": ', num(f$g3), ',\n   "mse": ', num(f$mse), '}')
}

street_x <- function(street, extra = NULL) {
  X <- model.matrix(~ factor(street))
  if (!is.null(extra)) X <- cbind(X, extra)
  unname(X)
}

cases <- character(0)

# 1. Street factor only, unbalanced: 3 streets of 5, 8 and 12 communities,
# sample sizes from 4 to 30, rates near 0.8; clear between-area variation.
set.seed(20261206)
street <- rep(1:3, c(5, 8, 12))
m <- length(street)
n <- sample(4:30, m, replace = TRUE)
theta <- c(0.85, 0.78, 0.70)[street] + rnorm(m, 0, 0.06)
psi <- theta * (1 - theta) / n
y <- theta + rnorm(m, 0, sqrt(psi))
cases <- c(cases, case_json("streets_unbalanced", y, psi, street_x(street), "sigma_v^2 > 0, street factor"))

# 2. Street factor plus log community size (a continuous covariate).
set.seed(7)
street <- rep(1:4, c(6, 9, 7, 10))
m <- length(street)
size <- round(exp(rnorm(m, log(300), 0.5)))
n <- sample(8:25, m, replace = TRUE)
theta <- c(0.6, 0.7, 0.65, 0.75)[street] + 0.05 * (log(size) - log(300)) + rnorm(m, 0, 0.05)
psi <- theta * (1 - theta) / n
y <- theta + rnorm(m, 0, sqrt(psi))
cases <- c(cases, case_json("streets_log_size", y, psi, street_x(street, log(size)), "sigma_v^2 > 0, street factor and log size"))

# 3. No area effect at all and large sampling variances: REML ends below
# zero and sigma_v^2 is truncated at 0 (every EBLUP is synthetic).
set.seed(11)
street <- rep(1:2, c(9, 11))
m <- length(street)
n <- sample(5:15, m, replace = TRUE)
theta <- c(0.8, 0.7)[street]
psi <- theta * (1 - theta) / n
y <- theta + rnorm(m, 0, sqrt(psi)) * 0.4
cases <- c(cases, case_json("truncated_at_zero", y, psi, street_x(street), "sigma_v^2 truncated to 0"))

# 4. Intercept and a continuous covariate only, very unequal variances
# (arcsine-scale variances 1/(4 n) with n from 1 to 60).
set.seed(3)
m <- 30
size <- round(exp(rnorm(m, log(200), 0.7)))
n <- sample(c(1:5, 10:60), m, replace = TRUE)
theta <- 1.1 + 0.08 * (log(size) - 5) + rnorm(m, 0, 0.09)
psi <- 1 / (4 * n)
y <- theta + rnorm(m, 0, sqrt(psi))
cases <- c(cases, case_json("intercept_log_size", y, psi, unname(cbind(1, log(size))), "sigma_v^2 > 0, continuous covariate only"))

# 5. Truncated at 0 with a continuous covariate.
set.seed(5)
street <- rep(1:3, c(4, 6, 5))
m <- length(street)
size <- round(exp(rnorm(m, log(200), 0.4)))
n <- sample(10:20, m, replace = TRUE)
theta <- c(0.9, 0.85, 0.8)[street]
psi <- theta * (1 - theta) / n
y <- theta + rnorm(m, 0, sqrt(psi)) * 0.3
cases <- c(cases, case_json("truncated_log_size", y, psi, street_x(street, log(size)), "sigma_v^2 truncated to 0, street factor and log size"))

out <- file.path("internal", "sae", "testdata", "fh_golden.json")
writeLines(c("[", paste(cases, collapse = ",\n"), "]"), out)
cat("wrote", out, "\n")
