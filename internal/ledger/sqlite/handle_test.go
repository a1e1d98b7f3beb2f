package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// TestHandleLayout checks the assumption handle.go makes about go-sqlite3:
// its connection keeps the sqlite3 handle in an unexported pointer field
// named db. A driver version that moves it fails here, by name, rather than
// in every test that stores a file.
func TestHandleLayout(t *testing.T) {
	f, ok := reflect.TypeFor[sqlite3.SQLiteConn]().FieldByName("db")
	if !ok {
		t.Fatal("go-sqlite3's SQLiteConn has no field db: handlePointer (handle.go) must learn the new layout")
	}
	if f.Type.Kind() != reflect.Pointer {
		t.Fatalf("go-sqlite3's SQLiteConn.db is a %s, want a pointer to the sqlite3 handle", f.Type)
	}

	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "recon.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		p, err := handlePointer(dc)
		if err == nil && p == nil {
			t.Error("handlePointer returned no handle and no error")
		}
		return err
	}); err != nil {
		t.Fatalf("handle of an open connection: %v", err)
	}
	// The handle is the connection's: SQLite answers through it.
	if n, err := cacheUsed(ctx, conn); err != nil || n <= 0 {
		t.Fatalf("cacheUsed through the handle = %d, %v; want a positive figure", n, err)
	}
	if _, err := handlePointer(struct{}{}); err == nil {
		t.Error("handlePointer accepted a connection that is not go-sqlite3's")
	}
}
