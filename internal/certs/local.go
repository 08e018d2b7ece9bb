// Package certs gives minyi serve its TLS certificates: a local
// certificate authority and server certificate for an office LAN without a
// public name ('minyi tls local'), the district's own certificate files,
// reloaded when they change or on SIGHUP, and ACME certificates for a
// server with a public name; and the plain-HTTP listener's answer, a
// redirect to HTTPS.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// The files of a local TLS directory.
const (
	CAFile   = "ca.crt"   // the authority's certificate: what devices install
	CAKey    = "ca.key"   // its private key (0600): it signs server certificates
	CertFile = "cert.pem" // the server's certificate, then the authority's
	KeyFile  = "key.pem"  // the server's private key (0600)
)

// Lifetimes: the authority lasts ten years, so that devices install it
// once; a server certificate 397 days, the most Apple's and Chrome's rules
// accept, remade with 'minyi tls local' before it ends.
const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 397 * 24 * time.Hour
)

// Local is what MakeLocal wrote.
type Local struct {
	Dir string
	// NewCA is false when an existing authority signed the new server
	// certificate (devices that trust it keep trusting).
	NewCA bool
	// CAFingerprint is the SHA-256 of the authority's certificate, in
	// hexadecimal pairs, for checking on a device before trusting it.
	CAFingerprint string
	Hosts         []string
	NotAfter      time.Time
}

// ParseHosts reads a comma-separated list of the names and addresses the
// server certificate is for: IP addresses (192.168.1.10, fd00::2) and DNS
// names (minyi.lan, localhost; a leading "*." for a wildcard).
func ParseHosts(s string) ([]string, error) {
	var out []string
	for _, h := range strings.Split(s, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil {
			out = append(out, ip.String())
			continue
		}
		if !validName(h) {
			return nil, apperr.New(apperr.Invalid, "--hosts: %q is neither an IP address nor a host name (letters, digits and hyphens in dot-separated labels)", h)
		}
		out = append(out, strings.ToLower(h))
	}
	if len(out) == 0 {
		return nil, apperr.New(apperr.Invalid, "--hosts: name at least one address or host name the tablets will use, e.g. --hosts 192.168.1.10,minyi.lan")
	}
	return out, nil
}

// validName reports whether h is a DNS name (RFC 1123), optionally with a
// leading wildcard label.
func validName(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// MakeLocal writes a server certificate for hosts into dir, signed by the
// directory's authority, which it makes first when there is none. Keys are
// ECDSA P-256; private keys are written 0600; every file is written whole
// or not at all.
func MakeLocal(dir string, hosts []string, now time.Time) (Local, error) {
	l := Local{Dir: dir, Hosts: hosts}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return l, apperr.New(apperr.Invalid, "--dir %s: %v", dir, errors.Unwrap(err))
	}
	ca, caKey, err := loadCA(dir)
	if errors.Is(err, fs.ErrNotExist) {
		ca, caKey, err = newCA(dir, now)
		l.NewCA = true
	}
	if err != nil {
		return l, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return l, apperr.Wrap(apperr.Internal, err, "server key")
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"minyi"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(serverLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return l, apperr.Wrap(apperr.Internal, err, "server certificate")
	}
	keyPEM, err := keyPEM(key)
	if err != nil {
		return l, err
	}
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})...)
	// The key first: a certificate without its key would not load.
	if err := writeAtomic(filepath.Join(dir, KeyFile), keyPEM, 0o600); err != nil {
		return l, err
	}
	if err := writeAtomic(filepath.Join(dir, CertFile), chain, 0o644); err != nil {
		return l, err
	}
	l.CAFingerprint = Fingerprint(ca.Raw)
	l.NotAfter = tmpl.NotAfter
	return l, nil
}

// Fingerprint is the SHA-256 of a DER certificate as colon-separated
// hexadecimal pairs, as Android, iOS and Windows show it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// LocalCA reads the authority's certificate of a local TLS directory (PEM),
// to offer it at /ca.crt.
func LocalCA(dir string) ([]byte, *x509.Certificate, error) {
	b, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil {
		return nil, nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, nil, apperr.New(apperr.Invalid, "%s is not a PEM certificate", filepath.Join(dir, CAFile))
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "%s: %v", filepath.Join(dir, CAFile), err)
	}
	return b, c, nil
}

func loadCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	_, c, err := LocalCA(dir)
	if err != nil {
		return nil, nil, err
	}
	kb, err := os.ReadFile(filepath.Join(dir, CAKey))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, apperr.New(apperr.Invalid, "%s has %s but not its key %s: move it away to make a new authority (devices must then trust the new one)", dir, CAFile, CAKey)
		}
		return nil, nil, err
	}
	blk, _ := pem.Decode(kb)
	if blk == nil {
		return nil, nil, apperr.New(apperr.Invalid, "%s is not a PEM key", filepath.Join(dir, CAKey))
	}
	k, err := x509.ParseECPrivateKey(blk.Bytes)
	if err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "%s: %v", filepath.Join(dir, CAKey), err)
	}
	if !k.PublicKey.Equal(c.PublicKey) {
		return nil, nil, apperr.New(apperr.Invalid, "%s does not belong to %s", filepath.Join(dir, CAKey), filepath.Join(dir, CAFile))
	}
	return c, k, nil
}

func newCA(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.Internal, err, "authority key")
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "minyi local CA " + host, Organization: []string{"minyi"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.Internal, err, "authority certificate")
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.Internal, err, "authority certificate")
	}
	kp, err := keyPEM(key)
	if err != nil {
		return nil, nil, err
	}
	if err := writeAtomic(filepath.Join(dir, CAKey), kp, 0o600); err != nil {
		return nil, nil, err
	}
	if err := writeAtomic(filepath.Join(dir, CAFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, nil, err
	}
	return c, key, nil
}

func keyPEM(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "key")
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// writeAtomic writes data to a temporary file beside path with mode and
// renames it into place.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return apperr.New(apperr.Invalid, "cannot write %s: %v", path, errors.Unwrap(err))
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return apperr.Wrap(apperr.Internal, err, "%s", path)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return apperr.New(apperr.Invalid, "cannot write %s: %v", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return apperr.New(apperr.Invalid, "cannot write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		return apperr.New(apperr.Invalid, "cannot write %s: %v", path, err)
	}
	return os.Rename(f.Name(), path)
}

// String says what MakeLocal did, for the command's output.
func (l Local) String() string {
	what := "reused the authority"
	if l.NewCA {
		what = "made a new authority"
	}
	return fmt.Sprintf("%s %s (SHA-256 %s) and a server certificate for %s, valid until %s", what, filepath.Join(l.Dir, CAFile), l.CAFingerprint,
		strings.Join(l.Hosts, ", "), l.NotAfter.Format(time.DateOnly))
}
