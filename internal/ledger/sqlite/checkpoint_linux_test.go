package sqlite

import "testing"

// TestCheckpointSyncsDatabase: a checkpoint that copied frames leaves none
// of the database file's pages dirty, also when SQLite does not sync it
// (it does not when the log has frames the checkpoint could not copy, here
// because a reader's snapshot ends before them, at a run's end because a
// commit came during the copy). The store's last close synced them, as the
// process's last step.
func TestCheckpointSyncsDatabase(t *testing.T) {
	db := mustOpen(t)
	scratch(t, db, 40)
	readScratch(t, db.Path(), Options{KeepLogBytes: -1}, `BEGIN`, 40)
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
