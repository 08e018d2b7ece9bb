package certs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

func TestParseHosts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"192.168.1.10, minyi.lan,localhost", []string{"192.168.1.10", "minyi.lan", "localhost"}, false},
		{"FD00::2,Minyi.LAN", []string{"fd00::2", "minyi.lan"}, false},
		{"*.office.lan", []string{"*.office.lan"}, false},
		{"", nil, true},
		{" , ", nil, true},
		{"bad_name", nil, true},
		{"-x.lan", nil, true},
		{"a..b", nil, true},
		{"a.b/c", nil, true},
		{strings.Repeat("a", 64) + ".lan", nil, true},
	} {
		got, err := ParseHosts(c.in)
		if (err != nil) != c.err || !slices.Equal(got, c.want) {
			t.Errorf("ParseHosts(%q) = %v, %v", c.in, got, err)
		}
	}
}

// The server certificate verifies for every host against the authority
// alone; a second run reuses the authority (devices keep trusting it) and
// makes a new server certificate; private keys are 0600.
func TestMakeLocal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	now := time.Now()
	first, err := MakeLocal(dir, []string{"192.168.1.10", "minyi.lan"}, now)
	if err != nil || !first.NewCA {
		t.Fatal(first, err)
	}
	for _, f := range []string{CAKey, KeyFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, st.Mode(), err)
		}
	}
	verify := func(hosts ...string) *x509.Certificate {
		t.Helper()
		_, ca, err := LocalCA(dir)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(ca)
		pair, err := tls.LoadX509KeyPair(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := x509.ParseCertificate(pair.Certificate[0])
		for _, h := range hosts {
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: h, CurrentTime: now}); err != nil {
				t.Errorf("%s: %v", h, err)
			}
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "other.lan", CurrentTime: now}); err == nil {
			t.Error("the certificate verifies for a host it does not name")
		}
		if _, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || ca.IsCA != true || !ca.MaxPathLenZero {
			t.Errorf("keys %T, CA %v", leaf.PublicKey, ca.IsCA)
		}
		return leaf
	}
	a := verify("192.168.1.10", "minyi.lan")
	second, err := MakeLocal(dir, []string{"10.0.0.5"}, now)
	if err != nil || second.NewCA || second.CAFingerprint != first.CAFingerprint {
		t.Fatalf("second run: %+v, %v (first %s)", second, err, first.CAFingerprint)
	}
	if b := verify("10.0.0.5"); b.SerialNumber.Cmp(a.SerialNumber) == 0 {
		t.Error("the server certificate was not made anew")
	}
	// An authority without its key is not silently replaced.
	os.Remove(filepath.Join(dir, CAKey))
	if _, err := MakeLocal(dir, []string{"10.0.0.5"}, now); err == nil || !strings.Contains(err.Error(), "but not its key") {
		t.Errorf("authority without key: %v", err)
	}
}

// A pair written over the files is used on the next watch tick; a broken
// write keeps the pair in use.
func TestKeypairReloads(t *testing.T) {
	dir := t.TempDir()
	if _, err := MakeLocal(dir, []string{"one.lan"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	kp, err := LoadKeypair(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile), "--tls-cert", "--tls-key", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go kp.Watch(ctx, 10*time.Millisecond)
	names := func() []string { c, _ := kp.GetCertificate(nil); return c.Leaf.DNSNames }
	waitFor := func(name string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !slices.Contains(names(), name); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("still %v, want %s", names(), name)
			}
		}
	}
	waitFor("one.lan")
	if _, err := MakeLocal(dir, []string{"two.lan"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Later than the first files', whatever the file system's clock grain.
	later := time.Now().Add(time.Minute)
	for _, f := range []string{CertFile, KeyFile} {
		if err := os.Chtimes(filepath.Join(dir, f), later, later); err != nil {
			t.Fatal(err)
		}
	}
	waitFor("two.lan")
	if err := os.WriteFile(filepath.Join(dir, CertFile), []byte("broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := kp.Reload(); err == nil {
		t.Error("a broken certificate file loaded")
	}
	if !slices.Contains(names(), "two.lan") {
		t.Errorf("after a broken write: %v", names())
	}
}

func TestExpiry(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	c := &x509.Certificate{NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(0, 2, 0)}
	if w := Expiry(c, now); w != "" {
		t.Errorf("valid: %q", w)
	}
	if w := Expiry(c, now.AddDate(0, 1, 25)); !strings.Contains(w, "expires on 2027-02-06") {
		t.Errorf("soon: %q", w)
	}
	if w := Expiry(c, now.AddDate(0, 3, 0)); !strings.Contains(w, "expired on 2027-02-06") {
		t.Errorf("expired: %q", w)
	}
}

func TestRedirect(t *testing.T) {
	for _, c := range []struct {
		method, host, port, target string
		code                       int
		want                       string
	}{
		{"GET", "minyi.lan", "8443", "/t/?a=1", 301, "https://minyi.lan:8443/t/?a=1"},
		{"GET", "minyi.lan:80", "443", "/", 301, "https://minyi.lan/"},
		{"HEAD", "192.168.1.10", "", "/login", 301, "https://192.168.1.10/login"},
		{"POST", "[fd00::2]:80", "8443", "/api/v1/login", 308, "https://[fd00::2]:8443/api/v1/login"},
	} {
		r := httptest.NewRequest(c.method, "http://x"+c.target, nil)
		r.Host = c.host
		w := httptest.NewRecorder()
		Redirect(c.port).ServeHTTP(w, r)
		if w.Code != c.code || w.Header().Get("Location") != c.want {
			t.Errorf("%s %s%s: %d %s, want %d %s", c.method, c.host, c.target, w.Code, w.Header().Get("Location"), c.code, c.want)
		}
	}
	r := httptest.NewRequest("GET", "http://x/", nil)
	r.Host = "evil.example/x@y"
	w := httptest.NewRecorder()
	Redirect("443").ServeHTTP(w, r)
	if w.Code != http.StatusBadRequest {
		t.Errorf("a host with a path: %d", w.Code)
	}
}

// ACME's wiring without an authority (none can be had here): only the
// named domains get a certificate, one already in the cache is served
// from it without asking anyone, and the plain-HTTP handler answers the
// HTTP-01 challenge path itself while passing everything else on.
func TestACMEWiring(t *testing.T) {
	if _, err := ACME([]string{"192.168.1.10"}, "", t.TempDir(), ""); err == nil {
		t.Error("an address was accepted as an ACME domain")
	}
	cache := filepath.Join(t.TempDir(), "acme")
	m, err := ACME([]string{"minyi.example.gov.cn"}, "ops@example.gov.cn", cache, "https://acme.invalid/directory")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(cache); err != nil || st.Mode().Perm() != fs.FileMode(0o700) {
		t.Fatalf("cache dir: %v %v", st, err)
	}
	if m.Client == nil || m.Client.DirectoryURL != "https://acme.invalid/directory" || m.Email != "ops@example.gov.cn" {
		t.Errorf("manager %+v", m)
	}
	// A certificate in the cache, as autocert stores it: the key, then the chain.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "minyi.example.gov.cn"}, DNSNames: []string{"minyi.example.gov.cn"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(60 * 24 * time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	kp, _ := keyPEM(key)
	if err := autocert.DirCache(cache).Put(context.Background(), "minyi.example.gov.cn", append(kp, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)); err != nil {
		t.Fatal(err)
	}
	hello := func(name string) *tls.ClientHelloInfo {
		return &tls.ClientHelloInfo{ServerName: name, SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
			SupportedCurves: []tls.CurveID{tls.CurveP256}, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, SupportedVersions: []uint16{tls.VersionTLS13, tls.VersionTLS12}}
	}
	c, err := m.GetCertificate(hello("minyi.example.gov.cn"))
	if err != nil || c.Leaf == nil || c.Leaf.SerialNumber.Cmp(tmpl.SerialNumber) != 0 {
		t.Fatalf("cached certificate: %v, %v", c, err)
	}
	if _, err := m.GetCertificate(hello("other.example.gov.cn")); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Errorf("another name: %v", err)
	}
	h := m.HTTPHandler(Redirect("443"))
	for _, c := range []struct {
		path string
		code int
	}{{"/.well-known/acme-challenge/unknown-token", 404}, {"/t/", 301}} {
		r := httptest.NewRequest("GET", "http://minyi.example.gov.cn"+c.path, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.code {
			t.Errorf("%s: %d, want %d", c.path, w.Code, c.code)
		}
	}
}
