package sqlite

// The key indexes of the webhook deliveries and the gateway records hold
// a 64-bit hash of each row's entity and key, not the strings: an index of
// the strings was nearly twice the size (at tier M, 52 MiB against 28-32
// MiB), and the key tables (keytable.go) sort and compare integers. A
// query by key looks the hash up and then compares entity and key, so two
// keys that share a hash are still told apart. A row's hash is computed
// in Go as it is stored (recon.KeyHash), and looked up in SQL with
// recon_key_hash, the same function (checkKeyHashes holds them together).
//
// recon_key_hash is a function of the store's connections, written in C
// so that a join calls it per row without a trip into Go; the schema does
// not depend on it, so any SQLite tool can still read the store.

/*
#include <stdint.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_context sqlite3_context;
typedef struct sqlite3_value sqlite3_value;
int sqlite3_create_function_v2(sqlite3*, const char*, int, int, void*,
	void (*)(sqlite3_context*, int, sqlite3_value**), void (*)(sqlite3_context*, int, sqlite3_value**),
	void (*)(sqlite3_context*), void (*)(void*));
const unsigned char *sqlite3_value_text(sqlite3_value*);
int sqlite3_value_bytes(sqlite3_value*);
void sqlite3_result_int64(sqlite3_context*, int64_t);

enum { SQLITE_UTF8 = 1, SQLITE_DETERMINISTIC = 0x800, SQLITE_INNOCUOUS = 0x200000 };

static uint64_t recon_fnv(uint64_t h, const unsigned char *p, int n) {
	for (int i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

// recon_key_hash(entity, key) is the 64-bit FNV-1a of entity, a 0xff byte
// (never in UTF-8, so no two pairs run together) and key.
static void recon_key_hash(sqlite3_context *c, int argc, sqlite3_value **v) {
	static const unsigned char sep = 0xff;
	const unsigned char *e = sqlite3_value_text(v[0]);
	uint64_t h = recon_fnv(14695981039346656037ULL, e, e ? sqlite3_value_bytes(v[0]) : 0);
	h = recon_fnv(h, &sep, 1);
	const unsigned char *k = sqlite3_value_text(v[1]);
	h = recon_fnv(h, k, k ? sqlite3_value_bytes(v[1]) : 0);
	sqlite3_result_int64(c, (int64_t)h);
}

static int recon_register_key_hash(sqlite3 *db) {
	return sqlite3_create_function_v2(db, "recon_key_hash", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
		0, recon_key_hash, 0, 0, 0);
}
*/
import "C"

import (
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// registerKeyHash adds recon_key_hash to a connection: every connection
// that writes or reads deliveries by key needs it.
func registerKeyHash(c *sqlite3.SQLiteConn) error {
	h, err := handlePointer(c)
	if err != nil {
		return err
	}
	if rc := C.recon_register_key_hash((*C.sqlite3)(h)); rc != 0 {
		return fmt.Errorf("register recon_key_hash: SQLite error %d", int(rc))
	}
	return nil
}
