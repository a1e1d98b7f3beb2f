package sqlite

import (
	"context"
	"testing"
)

// TestCheckpointSyncsDatabase: a checkpoint that copied frames leaves none
// of the database file's pages dirty, also when SQLite does not sync it
// (it does not when the log has frames the checkpoint could not copy, here
// because a reader's snapshot ends before them, at a run's end because a
// commit came during the copy). The store's last close synced them, as the
// process's last step.
func TestCheckpointSyncsDatabase(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	scratch(t, db, 40)
	reader := openAt(t, db.Path(), Options{KeepLogBytes: -1})
	defer reader.Close()
	rc, err := reader.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var n int
	if _, err := rc.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	defer rc.ExecContext(ctx, `ROLLBACK`)
	if err := rc.GetContext(ctx, &n, `SELECT count(*) FROM scratch`); err != nil {
		t.Fatal(err)
	}
	scratch(t, db, 40) // frames after the reader's snapshot
	if err := db.ckpt.checkpoint(); err != nil {
		t.Fatal(err)
	}
	st := pageCache(t, db.Path())
	if st.Cache == 0 {
		t.Fatal("the database file has no page in the cache: the checkpoint copied nothing")
	}
	if st.Dirty != 0 || st.Writeback != 0 {
		t.Errorf("after the checkpoint, %d of the database file's %d cached pages are dirty, %d being written", st.Dirty, st.Cache, st.Writeback)
	}
}
