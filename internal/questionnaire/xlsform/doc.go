// Package xlsform reads and writes questionnaires as XLSForm workbooks
// (xlsform.org), the spreadsheet format of ODK, KoboToolbox and SurveyCTO,
// so that a questionnaire can be written and edited in Excel or WPS.
//
// Read turns a workbook (sheets survey, choices, settings, and minyi's own
// indicators) into a questionnaire.Definition checked by the same rules as
// a YAML definition, or into Problems, each located by sheet, row and
// column and worded in English and Chinese. The relevant, end_if and
// constraint columns hold a small part of XPath, read by a tokenizer and a
// recursive-descent parser (expr.go) into minyi's declarative conditions;
// what it cannot read is a problem quoting the part, never dropped.
//
// Write renders any checked definition as a workbook that Read reads back
// to the same canonical JSON, hence the same content hash.
//
// The package is pure: no database, no network.
package xlsform
