// Package stats owns minyi's design-based estimation: weighted rates, means
// and totals with Taylor-linearised standard errors for a stratified
// multistage sample (PSUs drawn with replacement within strata, optional
// first-stage finite population correction; or two stages without
// replacement, Design.PSUs), domain estimates, design
// effects, confidence intervals, weight adjustments (non-response,
// post-stratification, raking, trimming) and comparisons (differences
// between independent samples, composite indices).
//
// Every number is meant to equal what R's survey package (4.1) prints for
// the same design, and the tests hold it to that with goldens made by
// testdata/golden.R:
//
//	des <- svydesign(ids=~psu, strata=~stratum, weights=~w, fpc=~fpc, nest=TRUE)
//	svymean(~y, des, na.rm=TRUE, deff=TRUE)            # Estimate, Kind Rate or Mean
//	svytotal(~y, des, na.rm=TRUE, deff=TRUE)           # Estimate, Kind Total
//	svyby(~y, ~dom, des, svymean, na.rm=TRUE, ...)     # domain estimates
//	svyciprop(~y, sub, method="asin"|"logit"|"beta"|"mean")  # intervals
//	postStratify(des, ~ps, pop); rake(des, ...)        # calibration
//	svycontrast(svymean(~a+b, des), c(.5, .5))         # Composite
//
// # The estimator
//
// For a domain d and a variable y, over the responses i in d with y
// observed (R: na.rm=TRUE; Lumley, Complex Surveys, 2010, §2.2, §2.3):
//
//	p̂ = Σ wᵢyᵢ / Σ wᵢ                   (ratio estimator; a total is Σ wᵢyᵢ)
//	zᵢ = wᵢ(yᵢ − p̂) / Σ wᵢ              (linearised values, 0 outside d)
//	t_hj = Σ_{i ∈ PSU j of stratum h} zᵢ
//	V_h = (1 − f_h) · n_h/(n_h − 1) · Σ_j (t_hj − t̄_h)²
//	Var(p̂) = Σ_h V_h
//
// n_h counts the PSUs of stratum h in the whole sample; PSUs without a
// response in the domain have t_hj = 0 (R onestrat pads them). f_h = n_h/N_h
// (svydesign fpc= given as counts) or the fraction itself. Lonely PSUs
// (n_h = 1) follow options(survey.lonely.psu=) of R's onestrat/onestage.
// The design effect is R's deff=TRUE: Var / (s²_w/n · (N̂ − n)/N̂).
//
// After post-stratification or raking the zᵢ are replaced by their
// calibration residuals before the PSU totals are formed, exactly as R's
// svyrecvar does with the design's postStrata (Lumley §7.4; Särndal,
// Swensson and Wretman 1992, §6.7).
//
// # Two stages without replacement (VarianceWOR)
//
// With Design.PSUs (each PSU's first-stage probability π_j and its units'
// conditional probability p2_j) the variance is R's
//
//	svydesign(ids = ~psu + unit, strata = ~stratum, fpc = ~p1 + p2,
//	          pps = "brewer", weights = ~w, nest = TRUE)
//
// (survey 4.1 multistage, onestage, onestrat): Brewer's approximation at
// the first stage and simple random sampling of units within PSUs,
//
//	V = Σ_h n_h/(n_h − 1) Σ_j (1 − π_j)(t_hj − t̄_h)²
//	  + Σ_hj π_j (1 − p2_j) m_j/(m_j − 1) Σ_k (z_k − z̄_j)²,
//
// n_h the PSUs of stratum h, m_j the responses of PSU j in the sample (each
// one unit), t̄_h and z̄_j means over all of them. A certainty PSU (π_j = 1)
// adds only its within-PSU term; a stratum whose PSUs are all certain adds
// no first-stage term. As R does for pps designs, a domain keeps every row
// of the sample (zeros outside it), so every PSU and stratum takes part,
// and the Korn–Graubard interval uses the sample's number of rows. The
// degrees of freedom are #PSUs − #strata among the domain's responses with
// a certainty PSU self-representing: a stratum of its own whose responses
// are its PSUs (R: degf of the design with strata street:community and ids
// household for certainty communities' rows; R reproduces minyi with the
// design above and that df given to svyciprop and confint). Most of the
// variance of a street whose communities are mostly certain comes from
// households within them; R's degf of the design above (communities − 1)
// made every such interval too wide (street coverage ≈ 97 % in
// simulation, 95 % with this count). The second stage needs Σw², Σw²y and
// Σw²y² in the aggregates. A Composite keeps the with-replacement formula
// (its second stage would need cross-products of the variables).
//
// # Where minyi knowingly differs from R
//
//   - A domain in which a variable has no value: R's svymean returns 0 with
//     standard error 0; minyi returns no estimate (NaN, null in JSON).
//   - The logit interval is computed from its formula, so it exists at
//     df = 1, where R's confint.svyglm rounds the t level to 1 and returns
//     (0, NaN); for p̂ = 0 or 1 it does not exist (R prints noise).
//   - The arcsine interval (a round's rates use it) stops its angle at 0
//     and π/2, so it ends at 0 or 1 where R's sin² folds back (an upper
//     end below p̂ near a rate of 1, a lower end above it near 0); for
//     p̂ = 0 or 1 it does not exist, as the logit one.
//   - Design effects are NaN when Σw < n (R: NA for means, a negative
//     number for totals).
//   - LonelyFail refuses a design with any non-census lonely stratum; R
//     fails only when a variable has values in that stratum.
//   - Raking that does not converge is an error (R warns and goes on).
//   - fpc values all equal to 1 are read as fractions (every stratum a
//     census); R stops with "Must have all fpc>=1 or all fpc<=1".
//
// R's own quirks are kept: the Korn–Graubard interval of a calibrated
// design uses the number of rows of the whole sample (R's nrow of a
// calibrated subset), and the raking residuals use R's ten fixed sweeps.
//
// # Push-down
//
// Everything is computed from PSU-level sums (Aggregate: one row per
// stratum × PSU × domain × calibration cell, holding Σ1, Σw, Σwy, Σwy², Σy
// per variable), which a database can produce with one GROUP BY. The
// row-level API (Aggregator, Sample) builds the same rows in one pass and
// calls the same core, so both paths give identical numbers.
package stats
