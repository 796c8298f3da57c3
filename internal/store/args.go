package store

// Argument lists of the bulk writes on the alert path are kept between
// commits: a commit of a few hundred new alerts binds thousands of values,
// and making that list afresh each time was garbage for every alert stored.

// maxKeptArgs bounds a kept list, so that one huge batch (a recovery, an
// import) does not stay in memory afterwards.
const maxKeptArgs = 1 << 16

// argList returns an empty list with room for n values; give it back with
// keepArgs once its statement has run.
func (s *Store) argList(n int) []any {
	if p, ok := s.args.Get().(*[]any); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]any, 0, n)
}

// keepArgs takes back a list from argList.
func (s *Store) keepArgs(args []any) {
	if cap(args) > maxKeptArgs {
		return
	}
	clear(args) // drop the values, so nothing they point to is kept
	args = args[:0]
	s.args.Put(&args)
}

// orNull is s to bind, or NULL when it is empty, for a column the statement
// reads with COALESCE, NULL as the empty text: SQLite's driver copies every
// text it binds into memory of its own, and binds NULL without one.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
