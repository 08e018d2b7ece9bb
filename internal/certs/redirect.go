package certs

import (
	"net"
	"net/http"
	"strings"
)

// Redirect answers the plain-HTTP listener: every request is sent to the
// same host and path over HTTPS on httpsPort ("" or "443": the default
// port). GET and HEAD get 301, other methods 308, so that a body is never
// resent in clear.
func Redirect(httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host == "" || strings.ContainsAny(host, "/\\@ ") {
			http.Error(w, "use https", http.StatusBadRequest)
			return
		}
		if strings.Contains(host, ":") { // IPv6
			host = "[" + host + "]"
		}
		if httpsPort != "" && httpsPort != "443" {
			host += ":" + httpsPort
		}
		code := http.StatusMovedPermanently
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			code = http.StatusPermanentRedirect
		}
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), code)
	})
}
