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
	upAlerts, addAlertLog, upGroups, addNotifications    bulk
	addNotifAlerts, upMembers, repeatAlerts              bulk
	upFiring, upIdleMembers, forgetFirstGroups           bulk
	updNotification, delMember                           *sql.Stmt

	alertLog, dueNotifications, nextNotification, alertNotifications string
	dueDestinations, dueTo                                           string

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

		alertLog:           d.rebind(selectAlertLog),
		dueNotifications:   d.rebind(selectDueNotifications),
		dueDestinations:    d.rebind(selectDueDestinations),
		dueTo:              d.rebind(selectDueTo),
		nextNotification:   d.rebind(selectNextNotification),
		alertNotifications: d.rebind(selectAlertNotifications),
	}
	for _, b := range []struct {
		dst        *bulk
		head, tail string
		cols       int
		tuple      string // "" for plain placeholders
	}{
		{&q.upChecks, upsertChecksHead, upsertChecksTail, 3, ""},
		{&q.upStates, upsertStatesHead, upsertStatesTail, upsertStatesCols, ""},
		{&q.upResults, upsertResultsHead, upsertResultsTail, upsertResultsCols, ""},
		{&q.addEvents, insertEventsHead, "", insertEventsCols, ""},
		{&q.addBuckets, upsertBucketsHead, upsertBucketsTail, upsertBucketsCols, ""},
		{&q.upAlerts, upsertAlertsHead, upsertAlertsTail, upsertAlertsCols, ""},
		{&q.addAlertLog, insertAlertLogHead, "", insertAlertLogCols, ""},
		{&q.upGroups, upsertGroupsHead, upsertGroupsTail, upsertGroupsCols, ""},
		{&q.addNotifications, insertNotificationsHead, "", insertNotificationsCols, ""},
		{&q.addNotifAlerts, insertNotifAlertsHead, "ON CONFLICT DO NOTHING", 2, ""},
		{&q.upMembers, upsertMembersHead, upsertMembersTail, upsertMembersCols, ""},
		{&q.upFiring, upsertFiringHead, upsertAlertsTail, upsertFiringCols, upsertFiringTuple},
		{&q.upIdleMembers, upsertMembersHead, upsertMembersTail, upsertIdleMembersCols, upsertIdleMembersTuple},
		{&q.repeatAlerts, repeatAlertsHead, repeatAlertsTail, repeatAlertsCols, repeatAlertsTuple},
		{&q.forgetFirstGroups, forgetFirstGroupsHead, forgetFirstGroupsTail, forgetFirstGroupsCols, forgetFirstGroupsTuple},
	} {
		var err error
		if *b.dst, err = prepareBulk(ctx, db, d, b.head, b.cols, b.tail, b.tuple); err != nil {
			return q, fmt.Errorf("store: prepare %s: %w", b.head, err)
		}
	}
	for _, st := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&q.updNotification, updateNotification},
		{&q.delMember, `DELETE FROM alert_routes WHERE alert_id = ? AND group_key = ?`},
	} {
		var err error
		if *st.dst, err = db.PrepareContext(ctx, d.rebind(st.sql)); err != nil {
			return q, fmt.Errorf("store: prepare %s: %w", st.sql, err)
		}
	}
	return q, nil
}

// bulks are the bulk statements.
func (q *queries) bulks() []*bulk {
	return []*bulk{&q.upChecks, &q.upStates, &q.upResults, &q.addEvents, &q.addBuckets, &q.upAlerts, &q.addAlertLog,
		&q.upGroups, &q.addNotifications, &q.addNotifAlerts, &q.upMembers, &q.repeatAlerts, &q.upFiring, &q.upIdleMembers,
		&q.forgetFirstGroups}
}

func (q queries) close() error {
	var errs []error
	for _, b := range q.bulks() {
		errs = append(errs, b.close())
	}
	for _, st := range []*sql.Stmt{q.updNotification, q.delMember} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}
