package office

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The administrator's home says when the last rotating backup was made
// and marks it late past twice the interval, or when there is none.
func TestBackupState(t *testing.T) {
	dir := t.TempDir()
	h := &Handler{BackupDir: dir, BackupEvery: 6 * time.Hour}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	if v := h.backupState(now); !v.On || v.Found || !v.Late {
		t.Errorf("no backup yet: %+v", v)
	}
	if err := os.WriteFile(filepath.Join(dir, "minyi-20261206-030000.db"), make([]byte, 1500), 0o600); err != nil {
		t.Fatal(err)
	}
	if v := h.backupState(now); !v.Found || v.Late || v.Size != 1500 || !v.Time.Equal(time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("a backup 9 h old, every 6 h: %+v", v)
	}
	if v := h.backupState(now.Add(4 * time.Hour)); !v.Late {
		t.Errorf("a backup 13 h old, every 6 h: %+v", v)
	}
	if v := (&Handler{}).backupState(now); v.On {
		t.Errorf("without rotating backups: %+v", v)
	}
}
