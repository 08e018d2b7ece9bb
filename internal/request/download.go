package request

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"
)

// Attachment marks the answer a download named name: the one place that
// writes Content-Disposition, for every download of the service. The name
// is made safe for any file system (FileName) and given twice, as RFC
// 6266 advises: an ASCII filename= for old clients and the UTF-8
// filename*= that keeps Chinese names.
func Attachment(c echo.Context, name string) {
	name = FileName(name)
	ascii := strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+ascii+`"; filename*=UTF-8''`+url.PathEscape(name))
}

// FileName makes a name (a round's or a sample's, chosen by a user) safe
// as a downloaded file's: no directory parts or characters a file system
// refuses (/ \ : * ? " < > | and controls become _), no leading dots or
// spaces (a hidden file, or "../"), at most 100 characters; "download"
// when nothing is left.
func FileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(name, ". _")
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if strings.TrimSpace(name) == "" {
		return "download"
	}
	return name
}
