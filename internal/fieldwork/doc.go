// Package fieldwork owns the rules of a household survey in the field: what
// a visit's outcome means, when an assignment is final and with which
// disposition, when a reserve household replaces it, which submitted
// responses look doubtful, and the response, cooperation, refusal and
// contact rates of a round.
//
// The package is pure Go: no database, no network, no clock. The store
// keeps visits and accepted responses; everything here is derived from them
// and can be recomputed at any time.
//
//   - Outcome is a visit's outcome, Disposition an assignment's final
//     disposition, Category its AAPOR class.
//   - Rule is a round's fieldwork rule (ParseRule reads it from YAML or
//     JSON, Validate checks one built in Go or read from storage).
//   - Assess derives an assignment's State (status, disposition, category,
//     replacement and a plain-English reason) from its visits and accepted
//     response under a Rule.
//   - Check flags a submitted response (too fast, straight-lining, far from
//     its community, overlapping or repeating another interview of the same
//     interviewer); PatternHash fingerprints its answers; Distance is the
//     haversine distance between two GPS positions.
//   - Counts tallies assignments by category and Counts.Rates computes the
//     outcome rates.
//
// # Dispositions and rates
//
// Dispositions, their categories and the outcome rates follow The American
// Association for Public Opinion Research, Standard Definitions: Final
// Dispositions of Case Codes and Outcome Rates for Surveys, 10th edition,
// AAPOR, 2023 (in-person household surveys): I complete, P partial, R
// refusal and break-off, NC non-contact, O other, UH unknown eligibility,
// NE not eligible. Response rates RR1 and RR3, cooperation rate COOP1,
// refusal rate REF1 and contact rate CON1 are computed as defined there,
// with e the proportional ("CASRO") estimate of the eligible share of the
// units of unknown eligibility. Unknown eligibility is not split into UH and
// UO. Assignments that are not final yet are in no rate.
//
// # Rule file
//
// A rule is YAML (or JSON); keys left out take the defaults shown:
//
//	attempts: 3              # 1..20 unsuccessful attempts before a final non-contact
//	days: 2                  # 1..attempts distinct local days they fall on
//	evening: 1               # 0..attempts of them started at or after evening_from
//	evening_from: "18:00"    # HH:MM local time
//	on_non_contact: true     # which final dispositions release a reserve household
//	on_refusal: true
//	on_not_eligible: false   # not eligible (NE) is no non-response: see DefaultRule
//	on_other: false
//	approval: supervisor     # or automatic
//	time_zone: Asia/Shanghai # IANA name; days and evenings are counted in it (default: the district's, ParseRuleIn)
//	quality:
//	  min_duration_seconds: 0   # 0..86400; 0 = 10 s per answered question
//	  gps_max_meters: 500       # 10..100000
//	  straight_line_items: 4    # 2..200
//
// The time zone database is embedded (time/tzdata), so zones load on any
// machine.
package fieldwork
