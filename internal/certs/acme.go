package certs

import (
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// ACME returns the manager that obtains and renews certificates for
// domains from an ACME authority (Let's Encrypt unless directory names
// another), answering its HTTP-01 challenges on the plain-HTTP listener
// (Manager.HTTPHandler) and its TLS-ALPN-01 ones on the HTTPS listener
// (Manager.TLSConfig). Certificates and the account key are kept in
// cacheDir (0700), so a restart does not ask again. Only the named
// domains get a certificate: a handshake for any other name is refused
// before the authority is asked.
func ACME(domains []string, email, cacheDir, directory string) (*autocert.Manager, error) {
	if len(domains) == 0 {
		return nil, apperr.New(apperr.Invalid, "--acme-domain: name the server's public host name, e.g. minyi.example.gov.cn")
	}
	for _, d := range domains {
		if net.ParseIP(d) != nil || !validName(d) || strings.HasPrefix(d, "*.") || !strings.Contains(d, ".") {
			return nil, apperr.New(apperr.Invalid, "--acme-domain: %q is not a public host name (an ACME authority certifies names like minyi.example.gov.cn, not addresses or wildcards)", d)
		}
	}
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return nil, apperr.New(apperr.Invalid, "--acme-cache %s: %v", cacheDir, err)
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(domains...),
		Cache:      autocert.DirCache(cacheDir),
		Email:      email,
	}
	if directory != "" {
		m.Client = &acme.Client{DirectoryURL: directory}
	}
	return m, nil
}
