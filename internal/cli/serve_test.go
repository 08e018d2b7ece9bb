package cli

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeBusyPort: a port in use ends serve with exit code 1 and one
// clear line, before the database is touched (no admin password is made
// and lost).
func TestServeBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dbFile := filepath.Join(t.TempDir(), "minyi.db")
	addr := busy.Addr().String()
	out, _, err := runCLI(t, map[string]string{"DATABASE_URL": "sqlite:" + dbFile, "MINYI_ADDR": addr}, "", "serve")
	if err == nil {
		t.Fatal("serve on a busy port succeeded")
	}
	msg := err.Error()
	if ExitCode(err) != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, addr) ||
		!strings.Contains(msg, "already in use") || !strings.Contains(msg, "--addr") || strings.Contains(msg, "bind:") {
		t.Fatalf("busy port: exit %d, %q", ExitCode(err), msg)
	}
	if out != "" {
		t.Fatalf("serve printed %q before failing", out)
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Fatalf("serve created the database before failing: %v", err)
	}

	// An address that is not this machine's is bad input: exit 2.
	_, _, err = runCLI(t, map[string]string{"DATABASE_URL": "sqlite:" + dbFile, "MINYI_ADDR": "192.0.2.1:0", "MINYI_INSECURE_HTTP": "true"}, "", "serve")
	if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), "192.0.2.1:0") {
		t.Fatalf("foreign address: exit %d, %v", ExitCode(err), err)
	}
}
