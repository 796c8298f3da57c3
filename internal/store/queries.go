package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// queries holds every statement in the dialect's placeholder form, rebound or
// prepared once when the Store opens.
type queries struct {
	upChecks, upStates, upResults, addEvents, addBuckets bulk

	checkIDs, allStates, oneState, recentResults string
	eventsAll, eventsCheck                       string
	buckets, sumAll, prune                       string
}

func prepareQueries(ctx context.Context, db *sql.DB, d dialect) (queries, error) {
	q := queries{
		checkIDs:      d.rebind(selectCheckIDs),
		allStates:     d.rebind(selectAllStates),
		oneState:      d.rebind(selectOneState),
		recentResults: d.rebind(selectRecentResults),
		eventsAll:     d.rebind(selectEventsAll),
		eventsCheck:   d.rebind(selectEventsCheck),
		buckets:       d.rebind(fmt.Sprintf(selectBuckets, d.indexedBy("buckets_check"))),
		sumAll:        d.rebind(fmt.Sprintf(sumBucketsHead, "") + sumBucketsTail),
		prune:         d.rebind(pruneBuckets),
	}
	for _, b := range []struct {
		dst        *bulk
		head, tail string
		cols       int
	}{
		{&q.upChecks, upsertChecksHead, upsertChecksTail, 3},
		{&q.upStates, upsertStatesHead, upsertStatesTail, upsertStatesCols},
		{&q.upResults, upsertResultsHead, upsertResultsTail, upsertResultsCols},
		{&q.addEvents, insertEventsHead, "", insertEventsCols},
		{&q.addBuckets, upsertBucketsHead, upsertBucketsTail, upsertBucketsCols},
	} {
		var err error
		if *b.dst, err = prepareBulk(ctx, db, d, b.head, b.cols, b.tail); err != nil {
			return q, fmt.Errorf("store: prepare %s: %w", b.head, err)
		}
	}
	return q, nil
}

func (q queries) close() error {
	return errors.Join(q.upChecks.close(), q.upStates.close(), q.upResults.close(), q.addEvents.close(), q.addBuckets.close())
}
