package request

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/web"
)

// Lang is the language a person reading the answer chose: ?lang=, then
// the minyi_lang cookie (the interface's language switch), then the
// browser's Accept-Language, then zh-CN. Pages and API errors both use it.
func Lang(c echo.Context) string {
	if l := c.QueryParam("lang"); l != "" {
		return known(l)
	}
	if ck, err := c.Cookie("minyi_lang"); err == nil {
		return known(ck.Value)
	}
	al := strings.ToLower(strings.TrimSpace(c.Request().Header.Get("Accept-Language")))
	if strings.HasPrefix(al, "en") {
		return "en"
	}
	return web.Languages[0]
}

// known is lang when it is an interface language, else the default.
func known(lang string) string {
	if slices.Contains(web.Languages, lang) {
		return lang
	}
	return web.Languages[0]
}
