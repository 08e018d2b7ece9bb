package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/certs"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// served is a 'minyi serve' running in the test.
type served struct {
	url, password string
	out, errb     *lockedBuffer
	done          chan error
	cancel        context.CancelFunc
}

// serveInProcess runs 'minyi serve' with env until the test ends (or stop),
// and waits for its start message: the URL it serves and, on a new
// database, the admin's password.
func serveInProcess(t *testing.T, env map[string]string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{out: &lockedBuffer{}, errb: &lockedBuffer{}, done: make(chan error, 1), cancel: cancel}
	go func() {
		s.done <- Run(ctx, []string{"serve"}, &Env{Stdout: s.out, Stderr: s.errb, Getenv: func(k string) string { return env[k] }})
	}()
	t.Cleanup(func() { s.stop(t) })
	started := regexp.MustCompile(`serving (https?://\S+)`)
	for range 600 {
		if m := started.FindStringSubmatch(s.out.String()); m != nil && strings.Contains(s.out.String(), "Log in at") {
			s.url = m[1]
			if p := regexp.MustCompile(`password\s+(\S+)`).FindStringSubmatch(s.out.String()); p != nil {
				s.password = p[1]
			}
			return s
		}
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("serve stopped: %v\n%s", err, s.errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve printed no start message:\n%s\n%s", s.out.String(), s.errb.String())
	return nil
}

// stop cancels serve and waits for it to end; it is an error if it fails
// or does not stop within 30 s.
func (s *served) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("serve did not stop after cancel")
	}
}

// localTLSDir runs 'minyi tls local' into a new directory.
func localTLSDir(t *testing.T, hosts string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tls")
	out, _, err := runCLI(t, nil, "", "tls", "local", "--hosts", hosts, "--dir", dir)
	if err != nil || !strings.Contains(out, "made a new authority") || !strings.Contains(out, "--tls-local "+dir) {
		t.Fatalf("tls local = %q, %v", out, err)
	}
	return dir
}

// trusting is an HTTPS client that trusts the authority of a local TLS
// directory and follows no redirects.
func trusting(t *testing.T, dir string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, certs.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("ca.crt holds no certificate")
	}
	return &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve --tls-local speaks HTTPS with the certificate 'tls local' made,
// trusted through its authority alone; the plain-HTTP listener only
// redirects (301 for GET, 308 for a POST, whose body must not go again in
// clear); a new certificate written over the files is used without a
// restart.
func TestServeTLSLocal(t *testing.T) {
	old := certWatchInterval
	certWatchInterval = 50 * time.Millisecond
	t.Cleanup(func() { certWatchInterval = old })
	dir := localTLSDir(t, "127.0.0.1,localhost")
	plain := freePort(t)
	s := serveInProcess(t, map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "minyi.db"), "MINYI_ADDR": "127.0.0.1:0",
		"MINYI_NO_DEMO": "true", "MINYI_TLS_LOCAL": dir, "MINYI_HTTP_ADDR": plain})
	if !strings.HasPrefix(s.url, "https://127.0.0.1:") {
		t.Fatalf("serving %s", s.url)
	}
	c := trusting(t, dir)
	res, err := c.Get(s.url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz over HTTPS: %v %v", res, err)
	}
	res.Body.Close()
	res, err = c.Post(s.url+"/api/v1/login", "application/json", strings.NewReader(`{"username":"admin","password":"`+s.password+`"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("login over HTTPS: %v %v", res, err)
	}
	res.Body.Close()
	// Over HTTPS the session cookie is Secure and browsers are told to
	// stay on HTTPS.
	if ck := res.Cookies(); len(ck) != 1 || !ck[0].Secure || !ck[0].HttpOnly {
		t.Errorf("session cookie over HTTPS: %+v", ck)
	}
	if h := res.Header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
		t.Errorf("Strict-Transport-Security = %q", h)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.url, "https://"))
	for _, r := range []struct {
		method string
		code   int
	}{{"GET", 301}, {"POST", 308}} {
		req, _ := http.NewRequest(r.method, "http://"+plain+"/t/?x=1", strings.NewReader("secret"))
		req.Host = "minyi.lan"
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := "https://minyi.lan:" + port + "/t/?x=1"; res.StatusCode != r.code || res.Header.Get("Location") != want {
			t.Errorf("plain %s: %d %s, want %d %s", r.method, res.StatusCode, res.Header.Get("Location"), r.code, want)
		}
	}

	// A renewal: 'tls local' again with another name, over the same files.
	if out, _, err := runCLI(t, nil, "", "tls", "local", "--hosts", "127.0.0.1,renewed.lan", "--dir", dir); err != nil || !strings.Contains(out, "reused the authority") {
		t.Fatalf("tls local again = %q, %v", out, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := tls.Dial("tcp", strings.TrimPrefix(s.url, "https://"), &tls.Config{RootCAs: c.Transport.(*http.Transport).TLSClientConfig.RootCAs, ServerName: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		names := conn.ConnectionState().PeerCertificates[0].DNSNames
		conn.Close()
		if slices.Contains(names, "renewed.lan") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the renewal serve still presents %v", names)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Bad HTTPS settings are refused before anything is written, in one line
// naming the setting or file, with exit code 2.
func TestServeTLSBadInput(t *testing.T) {
	a, b := localTLSDir(t, "127.0.0.1"), localTLSDir(t, "127.0.0.1")
	tmp := t.TempDir()
	notPEM := filepath.Join(tmp, "cert.txt")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing certificate", map[string]string{"MINYI_TLS_CERT": filepath.Join(tmp, "none.pem"), "MINYI_TLS_KEY": filepath.Join(a, certs.KeyFile)}, "--tls-cert " + filepath.Join(tmp, "none.pem") + ": no such file"},
		{"not PEM", map[string]string{"MINYI_TLS_CERT": notPEM, "MINYI_TLS_KEY": filepath.Join(a, certs.KeyFile)}, "--tls-cert " + notPEM},
		{"key of another certificate", map[string]string{"MINYI_TLS_CERT": filepath.Join(a, certs.CertFile), "MINYI_TLS_KEY": filepath.Join(b, certs.KeyFile)}, "private key does not match public key"},
		{"certificate without key", map[string]string{"MINYI_TLS_CERT": filepath.Join(a, certs.CertFile)}, "--tls-cert and --tls-key go together"},
		{"two ways", map[string]string{"MINYI_TLS_LOCAL": a, "MINYI_ACME_DOMAIN": "minyi.example.gov.cn"}, "choose one way to HTTPS"},
		{"no local directory", map[string]string{"MINYI_TLS_LOCAL": filepath.Join(tmp, "nope")}, "--tls-local " + filepath.Join(tmp, "nope") + ": no such directory"},
		{"ACME for an address", map[string]string{"MINYI_ACME_DOMAIN": "192.168.1.10", "MINYI_ACME_CACHE": filepath.Join(tmp, "acme")}, "--acme-domain: \"192.168.1.10\" is not a public host name"},
		{"ACME directory over HTTP", map[string]string{"MINYI_ACME_DOMAIN": "minyi.example.gov.cn", "MINYI_ACME_DIRECTORY": "http://acme.lan/dir"}, "--acme-directory"},
		{"redirect without HTTPS", map[string]string{"MINYI_HTTP_ADDR": "127.0.0.1:0"}, "--http-addr"},
		{"plain HTTP on the network", map[string]string{"MINYI_ADDR": "0.0.0.0:0"}, "speak plain HTTP there"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "minyi.db")
			env := map[string]string{"DATABASE_URL": "sqlite:" + db, "MINYI_ADDR": "127.0.0.1:0", "MINYI_NO_DEMO": "true"}
			for k, v := range c.env {
				env[k] = v
			}
			out, _, err := runCLI(t, env, "", "serve")
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("exit %d, %v; want exit 2 and one line with %q", ExitCode(err), err, c.want)
			}
			if out != "" {
				t.Errorf("serve printed %q", out)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("the database was created: %v", err)
			}
		})
	}
	for _, hosts := range []string{"", "bad_name", "-x.lan", "a..b"} {
		if _, _, err := runCLI(t, nil, "", "tls", "local", "--hosts", hosts, "--dir", filepath.Join(tmp, "h")); ExitCode(err) != 2 || !strings.Contains(err.Error(), "--hosts") {
			t.Errorf("tls local --hosts %q: exit %d, %v", hosts, ExitCode(err), err)
		}
	}
	// Plain HTTP on the network when asked for, or behind a proxy that
	// terminates HTTPS.
	for _, env := range []map[string]string{{"MINYI_INSECURE_HTTP": "true"}, {"MINYI_TRUSTED_PROXIES": "127.0.0.1", "MINYI_BASE_URL": "https://minyi.example.gov.cn"}} {
		env["DATABASE_URL"], env["MINYI_ADDR"], env["MINYI_NO_DEMO"] = "sqlite:"+filepath.Join(t.TempDir(), "minyi.db"), "0.0.0.0:0", "true"
		s := serveInProcess(t, env)
		s.stop(t)
	}
}

// An expired certificate is served (the district may have no other), with
// a warning at start that says so.
func TestServeTLSExpired(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	if _, err := certs.MakeLocal(dir, []string{"127.0.0.1"}, time.Now().AddDate(-2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	s := serveInProcess(t, map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "minyi.db"), "MINYI_ADDR": "127.0.0.1:0",
		"MINYI_NO_DEMO": "true", "MINYI_TLS_LOCAL": dir})
	if !strings.Contains(s.errb.String(), "warning: the TLS certificate expired on") {
		t.Errorf("no expiry warning:\n%s", s.errb.String())
	}
	// /readyz says so too (degraded, still 200: the service works), with
	// the build and the schema.
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // the test's own expired certificate
	res, err := c.Get(s.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var ready struct {
		Status string `json:"status"`
		Schema int64  `json:"schema"`
		Build  struct {
			Version string `json:"version"`
		} `json:"build"`
		TLS struct {
			Warning string `json:"warning"`
		} `json:"tls"`
	}
	if err := json.NewDecoder(res.Body).Decode(&ready); err != nil || res.StatusCode != 200 || ready.Status != "degraded" ||
		!strings.Contains(ready.TLS.Warning, "expired") || ready.Schema != store.SchemaVersion() || ready.Build.Version == "" {
		t.Errorf("readyz = %d %+v (%v)", res.StatusCode, ready, err)
	}
}

// lanAddress is an address of this machine other than loopback, as a
// tablet on the office network would use; 127.0.0.2 when there is none.
func lanAddress(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	return "127.0.0.2"
}

// The tablet app over HTTPS on a LAN address with 'tls local', as an
// office would run it: Chromium trusts the local authority (by its public
// key, --ignore-certificate-errors-spki-list, which validates the chain as
// a trusted root would; no errors ignored wholesale), the page is a secure
// context, the service worker installs and takes control, and with the
// server gone a reload still opens the app.
func TestTabletOverLANHTTPS(t *testing.T) {
	host := lanAddress(t)
	dir := localTLSDir(t, host+",localhost")
	_, ca, err := certs.LocalCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	spki := sha256.Sum256(ca.RawSubjectPublicKeyInfo)
	b := webtest.Start(t, chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])))
	s := serveInProcess(t, map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "minyi.db"), "MINYI_ADDR": net.JoinHostPort(host, "0"),
		"MINYI_NO_DEMO": "true", "MINYI_TLS_LOCAL": dir, "MINYI_HTTP_ADDR": "off"})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.url, "https://"))
	app := "https://" + net.JoinHostPort(host, port) + "/t/"
	if !strings.Contains(s.out.String(), "Tablets and PCs on the network: https://"+net.JoinHostPort(host, port)) {
		t.Errorf("the start message names no tablet URL:\n%s", s.out.String())
	}
	ctx := b.Tab(60 * time.Second)
	var secure bool
	webtest.Run(t, ctx, "open the tablet app", chromedp.Navigate(app), webtest.WaitVisible(`input[name=username]`),
		webtest.WaitJS(`navigator.serviceWorker.controller !== null`),
		chromedp.Evaluate(`window.isSecureContext && location.protocol === "https:"`, &secure))
	if !secure {
		t.Fatal("the tablet app over HTTPS is not a secure context")
	}
	b.Screenshot(ctx, "1-online")

	// The administrator's page for putting the authority on tablets: the
	// code to scan leads to /ca.crt, which is the authority itself, and the
	// fingerprint is the one 'tls local' printed. Both languages, a phone
	// and a desk.
	admin := b.Tab(60 * time.Second)
	webtest.Run(t, admin, "log in as admin", webtest.Login("https://"+net.JoinHostPort(host, port)+"/login", "admin", s.password), webtest.WaitVisible(`nav a[href="/tls"]`))
	for _, lang := range []string{"zh-CN", "en"} {
		for _, w := range []int64{360, 1280} {
			var fp, link string
			var overflow bool
			webtest.Run(t, admin, "the certificate page "+lang, webtest.Viewport(w, 900), chromedp.Navigate("https://"+net.JoinHostPort(host, port)+"/tls?lang="+lang),
				webtest.WaitVisible(`#tls svg path`), webtest.Text(`#ca-fingerprint`, &fp), chromedp.Evaluate(`document.querySelector("#ca-link").href`, &link),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow))
			if fp != certs.Fingerprint(ca.Raw) || link != "https://"+net.JoinHostPort(host, port)+"/ca.crt" {
				t.Errorf("%s: fingerprint %q, link %q", lang, fp, link)
			}
			if overflow {
				t.Errorf("%s at %d px: the page is wider than the screen", lang, w)
			}
			b.Screenshot(admin, fmt.Sprintf("3-tls-%s-%d", lang, w))
		}
	}
	got, err := trusting(t, dir).Get("https://" + net.JoinHostPort(host, port) + "/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	want, _ := os.ReadFile(filepath.Join(dir, certs.CAFile))
	if got.StatusCode != 200 || !bytes.Equal(body, want) || got.Header.Get("Content-Type") != "application/x-x509-ca-cert" {
		t.Errorf("/ca.crt = %d %s %q", got.StatusCode, got.Header.Get("Content-Type"), body)
	}
	s.stop(t)
	if _, err := http.Get("http://" + net.JoinHostPort(host, port)); err == nil {
		t.Fatal("the server still answers")
	}
	webtest.Run(t, ctx, "reload with the server gone", chromedp.Reload(), webtest.WaitVisible(`input[name=username]`))
	b.Screenshot(ctx, "2-offline")
}
