package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// A FieldWrite transaction that asks for a value-row insert not prepared
// yet does not wait for another FieldWrite that is preparing one, which
// on SQLite waits for the write connection the first holds; the insert
// is prepared before the next transaction.
func TestFieldWritesPrepareWithoutDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		storetest.SeedRound(t, db, 4, 1, 1) // assignments 1 to 4
		held, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 2)
		go func() {
			done <- db.FieldWrite(ctx, 1, func(*store.FieldTx) error {
				db.ValuesStmtPrepared(3) // wanted by the next FieldWrite
				close(held)
				<-release
				db.ValuesStmtPrepared(5) // asked for while the other prepares
				return nil
			})
		}()
		<-held
		go func() { done <- db.FieldWrite(ctx, 2, func(*store.FieldTx) error { return nil }) }()
		time.Sleep(200 * time.Millisecond) // the second is preparing by now
		close(release)
		for range 2 {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("two FieldWrites wait for each other")
			}
		}
		if !db.ValuesStmtPrepared(3) {
			t.Error("the insert of 3 value rows was not prepared by the next FieldWrite")
		}
		if err := db.FieldWrite(ctx, 3, func(*store.FieldTx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if !db.ValuesStmtPrepared(5) {
			t.Error("the insert of 5 value rows was not prepared by the next FieldWrite")
		}
	})
}
