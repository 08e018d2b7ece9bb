package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// net/http answers a request it cannot parse (a bad %-escape in the path,
// a malformed header, headers too large) itself, before any handler runs,
// with a plain-text body written straight to the connection. jsonErrors
// wraps the listener's connections so that these answers, too, have the
// service's error shape. It recognises them by net/http's fixed header
// block, which no handler's answer has (those carry a Date and the security
// headers).
const plainErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &jsonErrorConn{Conn: c}, nil
}

type jsonErrorConn struct{ net.Conn }

// CloseWrite keeps net/http's half-close (after a 431) working.
func (c *jsonErrorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *jsonErrorConn) Write(p []byte) (int, error) {
	if out, ok := rewritePlainError(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// rewritePlainError turns net/http's "HTTP/1.1 400 Bad Request: reason" +
// plain headers + text into the same status with a JSON error body.
func rewritePlainError(p []byte) ([]byte, bool) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) {
		return nil, false
	}
	i := bytes.Index(p, []byte(plainErrorHeaders))
	if i < 0 || bytes.IndexByte(p[:i], '\n') >= 0 {
		return nil, false // the fixed block must follow the status line
	}
	statusLine := string(p[len("HTTP/1.1 "):i])
	codeText, reason, _ := strings.Cut(statusLine, ": ")
	code, err := strconv.Atoi(strings.SplitN(codeText, " ", 2)[0])
	if err != nil || code < 400 || code > 599 {
		return nil, false
	}
	name := httpCodes[code]
	if name == "" {
		name = "error"
	}
	msg := map[int]string{
		400: "malformed request (for example a bad %-escape in the path or a malformed header)",
		431: "request headers too large",
		501: "unsupported transfer encoding",
	}[code]
	if reason != "" {
		msg = reason
	}
	if msg == "" {
		msg = codeText
	}
	body, _ := json.Marshal(ErrorBody{ErrorDetail{Code: name, Message: msg}})
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %s\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: %d\r\n\r\n", codeText, len(body))
	b.Write(body)
	return b.Bytes(), true
}
