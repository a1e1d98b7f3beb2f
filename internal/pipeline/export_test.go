package pipeline

// SetSettleShareRows sets how many settlement rows a share of a part holds,
// until the test ends.
func SetSettleShareRows(cleanup func(func()), n int) {
	before := settleShareRows
	settleShareRows = n
	cleanup(func() { settleShareRows = before })
}
