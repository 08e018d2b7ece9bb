// Package qrsvg draws QR codes as SVG path data, for pages that show a
// code to scan (the local authority's certificate on a tablet) without an
// image file or a script: the page's template writes the path into an
// <svg>, as the charts are written.
package qrsvg

import (
	"fmt"
	"strings"

	"rsc.io/qr"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Code is a QR code ready for a template: Path is the dark modules as SVG
// path data in module units, Size the modules on a side; a viewBox of
// -4 -4 Size+8 Size+8 leaves the quiet zone scanners need.
type Code struct {
	Path string
	Size int
	Text string
}

// Encode makes the QR code of text at error-correction level M (15 %).
func Encode(text string) (Code, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return Code{}, apperr.Wrap(apperr.Invalid, err, "QR code of %q", text)
	}
	var b strings.Builder
	for y := range c.Size {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < c.Size && c.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	return Code{Path: b.String(), Size: c.Size, Text: text}, nil
}
