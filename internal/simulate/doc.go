// Package simulate owns simulated polling: a synthetic district whose true
// rates are known (streets, communities of varying size, households with
// residents by sex and age group, and a response model), simulated
// respondents who answer the questionnaire from their true propensities
// following its skip logic, and the Monte Carlo evaluation of a sampling
// design in memory (sample → response → estimate, repeated).
//
// It is pure: no database. Simulated fieldwork against a round lives in
// package simround, which submits through the rounds service or the API.
//
// # The response model
//
// Every rate indicator of a questionnaire that reads a question is a trait.
// A respondent of sex s and age group a living in community c of street h
// has, for trait k, the propensity
//
//	logit p = α_hk + u_ck + β_ka + γ_ks
//
// with α the street's level, u_ck = σ_k(ρ·z_c + √(1−ρ²)·e_ck) a community
// random effect (z_c shared by the traits of a community, e_ck its own;
// z, e standard normal: a logit-normal model), and β, γ fixed effects of
// age and sex. The question is answered "don't know" or "refused" (when it
// has such options) with fixed probabilities, otherwise with a positive
// code with probability p. The household's respondent is one of its adults
// at random.
//
// # The truth
//
// A design-based estimate with household weights of a rate estimates
// Σ_h E[y·c] / Σ_h E[c] over the households of the domain, where c says
// whether the answer counts in the denominator and the expectation is over
// the choice of respondent and the answer. Truth computes exactly that from
// the model (a mean of items by enumerating which items count), so a
// simulated survey's estimates are unbiased for it when non-response is
// unrelated to the answers, which is how the fieldwork simulation makes it.
// The indicator questions are assumed shown to every eligible respondent
// (true of the shipped questionnaires); straight-liners are left out of the
// truth.
package simulate
