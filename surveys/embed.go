// Package surveys holds the questionnaires shipped with minyi, as YAML
// definitions embedded in the binary. Load them with questionnaire.Load(FS,
// name); every file here must pass questionnaire validation (the tests of
// internal/questionnaire load them all).
package surveys

import "embed"

// FS holds the shipped questionnaire definitions (*.yaml) at its root.
//
//go:embed *.yaml
var FS embed.FS
