package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// replace returns s with old replaced by new, failing the test unless old
// occurs exactly n times: when minyi.conf changes so that the test can no
// longer put its ports and files in, the test says what it looked for.
func replace(t *testing.T, s, old, new string, n int) string {
	t.Helper()
	if c := strings.Count(s, old); c != n {
		t.Fatalf("%s: %q occurs %d times, want %d", nginxConf, old, c, n)
	}
	return strings.ReplaceAll(s, old, new)
}

// nginx is Debian's nginx running deploy/nginx/minyi.conf as a child of
// the test.
type nginx struct {
	https, http string // https://127.0.0.1:PORT, http://127.0.0.1:PORT
	dir         string // its prefix: nginx.conf, minyi.conf, access.log
	cmd         *exec.Cmd
	stderr      *lockedBuffer
	done        chan error
}

// startNginx runs the repository's minyi.conf with only what a test must
// change: the listen ports (free loopback ports instead of 80 and 443), the
// upstream servers (the replicas' addresses instead of 8081 and 8082) and
// the certificate (tlsDir's, made by 'minyi tls local'). A wrapping
// nginx.conf gives what a system nginx's main config gives: no daemon, pid,
// logs and temporary files in the test's directory, mime.types.
func startNginx(t *testing.T, bin string, replicas []string, tlsDir string) *nginx {
	t.Helper()
	b, err := os.ReadFile(nginxConf)
	if err != nil {
		t.Fatal(err)
	}
	conf := string(b)
	httpsAddr, httpAddr := freePort(t), freePort(t)
	conf = replace(t, conf, "listen [::]:80;\n", "", 1)
	conf = replace(t, conf, "listen [::]:443 ssl http2;\n", "", 1)
	conf = replace(t, conf, "listen 80;", "listen "+httpAddr+";", 1)
	conf = replace(t, conf, "listen 443 ssl http2;", "listen "+httpsAddr+" ssl http2;", 1)
	conf = replace(t, conf, "server 127.0.0.1:8081 ", "server "+replicas[0]+" ", 1)
	conf = replace(t, conf, "server 127.0.0.1:8082 ", "server "+replicas[1]+" ", 1)
	conf = replace(t, conf, "/etc/minyi/tls/cert.pem", filepath.Join(tlsDir, "cert.pem"), 1)
	conf = replace(t, conf, "/etc/minyi/tls/key.pem", filepath.Join(tlsDir, "key.pem"), 1)

	n := &nginx{https: "https://" + httpsAddr, http: "http://" + httpAddr, dir: t.TempDir(), stderr: &lockedBuffer{}, done: make(chan error, 1)}
	user := ""
	if os.Geteuid() == 0 {
		// As root (CI), nginx would run its workers as nobody, who cannot
		// enter the test's 0700 temporary directories.
		user = "user root;"
	}
	main := fmt.Sprintf(`%s
daemon off;
master_process on;
worker_processes 2;
pid %[2]s/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path %[2]s/client_body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    log_format upstreams '$status $request_method $uri upstream=$upstream_addr upstream_status=$upstream_status';
    access_log %[2]s/access.log upstreams;
    include minyi.conf;
}
`, user, n.dir)
	for name, body := range map[string]string{"nginx.conf": main, "minyi.conf": conf} {
		if err := os.WriteFile(filepath.Join(n.dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n.cmd = exec.Command(bin, "-p", n.dir, "-c", "nginx.conf", "-e", "stderr")
	n.cmd.Stdout, n.cmd.Stderr = n.stderr, n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.done <- n.cmd.Wait() }()
	t.Cleanup(func() {
		_ = n.cmd.Process.Signal(syscall.SIGQUIT) // graceful: workers finish and go
		select {
		case <-n.done:
		case <-time.After(10 * time.Second):
			_ = n.cmd.Process.Kill()
			<-n.done
		}
		if t.Failed() {
			t.Logf("nginx's log:\n%s", n.stderr.String())
		}
	})
	for range 200 {
		select {
		case err := <-n.done:
			t.Fatalf("nginx exited at start: %v\n%s", err, n.stderr.String())
		default:
		}
		if c, err := net.Dial("tcp", httpsAddr); err == nil {
			c.Close()
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nginx does not listen on %s:\n%s", httpsAddr, n.stderr.String())
	return nil
}

// nginxRetries reads nginx's access log (it lists each attempt's replica,
// comma-separated): how many sync requests nginx passed to a second
// replica after the first failed and got answered there, and how many it
// answered 502 itself, no replica being up.
func nginxRetries(ngx *nginx) (resent, unanswered int) {
	b, _ := os.ReadFile(filepath.Join(ngx.dir, "access.log"))
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, " POST /api/v1/sync ") {
			continue
		}
		switch {
		case strings.HasPrefix(l, "200 ") && strings.Contains(l, ", "):
			resent++
		case strings.HasPrefix(l, "502 "):
			unanswered++
		}
	}
	return resent, unanswered
}

// checkNginxConfig checks what the running config promises besides
// proxying: plain HTTP redirects to HTTPS, HSTS, a body over minyi's upload
// limit refused by nginx, and that limit equal to minyi's.
func checkNginxConfig(t *testing.T, ngx *nginx, tlsDir string) {
	conf, err := os.ReadFile(nginxConf)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(uploadLimit)
	if err != nil {
		t.Fatal(err)
	}
	mine := regexp.MustCompile(`defaultUploadLimit\s*=\s*(\d+)\s*<<\s*20\b`).FindSubmatch(src)
	theirs := regexp.MustCompile(`(?m)^\s*client_max_body_size\s+(\d+)m;`).FindSubmatch(conf)
	if mine == nil || theirs == nil || string(mine[1]) != string(theirs[1]) {
		t.Errorf("client_max_body_size %q MB in %s, minyi's upload limit %q MB in %s: keep them equal", theirs, nginxConf, mine, uploadLimit)
	}

	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	res, err := c.Get(ngx.http + "/t/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "https://127.0.0.1") || !strings.HasSuffix(loc, "/t/") {
		t.Errorf("plain HTTP /t/ = %d Location %q, want 301 to https://…/t/", res.StatusCode, loc)
	}

	// A register over the limit: nginx refuses it from its Content-Length
	// alone, before any of the body is sent.
	conn, err := tls.Dial("tcp", strings.TrimPrefix(ngx.https, "https://"), trusting(t, tlsDir).Transport.(*http.Transport).TLSClientConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/frames HTTP/1.1\r\nHost: %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n",
		strings.TrimPrefix(ngx.https, "https://"), 256<<20+1)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(res.Header.Get("Server"), "nginx") {
		t.Errorf("a register of 256 MB + 1 byte = %d from %q, want 413 from nginx", res.StatusCode, res.Header.Get("Server"))
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("HTTPS answers without Strict-Transport-Security (%q)", hsts)
	}
}

// checkFirstLoad fetches the tablet's page and the modules and styles it
// links through nginx, as raw bytes on the wire, without and with
// Accept-Encoding: gzip.
func checkFirstLoad(t *testing.T, ngx *nginx, tlsDir string) {
	base := trusting(t, tlsDir).Transport.(*http.Transport)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: base.TLSClientConfig, DisableCompression: true}, Timeout: 10 * time.Second}
	get := func(path string, gz bool, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", ngx.https+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}
	_, page := get("/t/", false)
	paths := []string{"/t/"}
	for _, m := range regexp.MustCompile(`(?:href|src)="(/[^"]+\.(?:js|css|json))"`).FindAllSubmatch(page, -1) {
		paths = append(paths, string(m[1]))
	}
	if len(paths) < 4 {
		t.Fatalf("/t/ links %v: want its modules and styles", paths)
	}
	var plain, zipped, codePlain, codeZipped int
	for _, p := range paths {
		res, raw := get(p, false)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" {
			t.Fatalf("GET %s without gzip = %d, Content-Encoding %q", p, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		resz, z := get(p, true)
		if resz.StatusCode != http.StatusOK || resz.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with gzip = %d, Content-Encoding %q (%s)", p, resz.StatusCode, resz.Header.Get("Content-Encoding"), resz.Header.Get("Content-Type"))
			continue
		}
		if !strings.Contains(resz.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s gzip'd without Vary: Accept-Encoding", p)
		}
		zr, err := gzip.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		unz, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(unz, raw) {
			t.Errorf("GET %s: gzip'd body does not inflate to the plain one (%v)", p, err)
		}
		// minyi's caching of the app's files passes through: no-cache with
		// its ETag (weak once gzip'd), and revalidation answers 304
		// through nginx. (/i18n/ has neither today: minyi's to change.)
		if strings.HasPrefix(p, "/t/") {
			if cc := resz.Header.Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("GET %s: Cache-Control %q through nginx, want minyi's no-cache", p, cc)
			}
			if etag := resz.Header.Get("ETag"); etag == "" {
				t.Errorf("GET %s: no ETag through nginx", p)
			} else if res304, _ := get(p, true, "If-None-Match", etag); res304.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s If-None-Match %s = %d, want 304", p, etag, res304.StatusCode)
			}
		}
		plain += len(raw)
		zipped += len(z)
		if strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css") {
			codePlain += len(raw)
			codeZipped += len(z)
		}
	}
	t.Logf("the tablet's first load through nginx (%d files: %s): %d bytes plain, %d bytes gzip'd (%.0f%%)",
		len(paths), strings.Join(paths, " "), plain, zipped, 100*float64(zipped)/float64(plain))
	t.Logf("of which JavaScript and CSS: %d bytes plain, %d bytes gzip'd", codePlain, codeZipped)
	if zipped*5 > plain*2 {
		t.Errorf("gzip'd first load is %d bytes of %d: want under 40%%", zipped, plain)
	}
}
