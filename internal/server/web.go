package server

import (
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/web"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

func (s *Server) webRoutes() {
	e := s.e
	static := http.StripPrefix("/static/", http.FileServerFS(web.Static()))
	e.GET("/static/*", echo.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		static.ServeHTTP(w, r)
	})))
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg")
	})
	e.GET("/i18n/:lang", s.i18n)
	e.GET("/login", s.loginPage)
	e.GET("/", s.homePage, s.authenticated)
	e.GET("/surveys", s.surveysPage, s.authenticated)
	e.GET("/surveys/:slug", s.surveyPage, s.authenticated)
	e.GET("/surveys/:slug/:version", s.surveyPage, s.authenticated)
}

// lang picks the interface language: ?lang=, then the minyi_lang cookie,
// then Accept-Language, then zh-CN. A ?lang= choice is remembered.
func (s *Server) lang(c echo.Context) string {
	if l := c.QueryParam("lang"); l != "" {
		l = s.pages.Lang(l)
		c.SetCookie(&http.Cookie{Name: "minyi_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if ck, err := c.Cookie("minyi_lang"); err == nil {
		return s.pages.Lang(ck.Value)
	}
	al := strings.ToLower(c.Request().Header.Get("Accept-Language"))
	if strings.HasPrefix(al, "en") {
		return "en"
	}
	return "zh-CN"
}

func (s *Server) render(c echo.Context, page, titleKey string, data any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	var user any
	if u, ok := c.Get(userKey).(store.User); ok {
		user = u
	}
	return s.pages.Render(c.Response(), page, s.lang(c), user, data, titleKey)
}

func (s *Server) i18n(c echo.Context) error {
	lang := strings.TrimSuffix(c.Param("lang"), ".json")
	return c.JSONBlob(http.StatusOK, s.pages.StringsJSON(lang))
}

func (s *Server) loginPage(c echo.Context) error {
	return s.render(c, "login", "login.title", localPath(c.QueryParam("next")))
}

func (s *Server) homePage(c echo.Context) error {
	return s.render(c, "home", "home.title", nil)
}

// localPath returns next if it is a path on this site, else "/": the page a
// login returns to must not send the user elsewhere ("//evil", "/\\evil",
// "https://evil" and control characters are all refused).
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}
