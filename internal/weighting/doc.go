// Package weighting turns a round's base weights into final weights and
// keeps the population counts they are calibrated to. Its pipeline, each
// step configured per round and recorded with the run (round_weightings):
//
//  1. base weight: 1/π of the sample unit; a reserve released for a
//     non-respondent substitutes it (inherits its weight, and the replaced
//     unit leaves the adjustment), one released for a household found not
//     eligible enlarges its community's sample (planUnits: the household
//     stays as not eligible, every unit of the community weighs m/(m+k));
//  2. non-response adjustment within weighting classes (street or
//     community), with units of unknown eligibility counted through the
//     estimated eligibility rate (stats.AdjustNonresponseEligibility); an
//     interview that ended at a screening question is a household found
//     not eligible (AAPOR NE), never a respondent: it is stored without
//     values and takes no weight;
//  3. post-stratification or raking to population counts
//     (stats.PostStratify, stats.Rake: R's postStratify and rake);
//  4. trimming at k × the median weight, the excess spread over the other
//     weights until none is above the cap (stats.TrimWeights, strict).
//
// The final weights, the weights that entered calibration and each
// response's calibration cell are written to responses and response_values
// in one transaction with the audit entry; estimates then use the stored
// calibration for their variances (calibration residuals, as R's
// svyrecvar with the design's postStrata). Trimming is not reflected in
// variances, as in R's trimWeights; after trimming the calibration
// residuals are formed with the trimmed weights (R keeps the weights of
// calibration time), an approximation that only matters when the cap binds.
package weighting
