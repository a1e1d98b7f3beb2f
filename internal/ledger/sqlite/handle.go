package sqlite

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/mattn/go-sqlite3"
)

// handlePointer returns the sqlite3 handle of a go-sqlite3 connection.
// go-sqlite3 does not export it: this reads the connection's unexported
// db field by reflection. TestHandleLayout fails, naming the field, when a
// driver version moves it.
func handlePointer(dc any) (unsafe.Pointer, error) {
	c, ok := dc.(*sqlite3.SQLiteConn)
	if !ok {
		return nil, fmt.Errorf("bulk statement: connection is a %T, not go-sqlite3's", dc)
	}
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil, errors.New("bulk statement: go-sqlite3's connection has no open db handle (has the driver changed?)")
	}
	return f.UnsafePointer(), nil
}
