package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Inbox statuses.
const (
	InboxPending = "pending"
	InboxDone    = "done"
)

// InboxMessage is a request one replica took and another applies: an
// alert event or an acknowledgement for the holder of the pager's lease.
// It is committed before its sender answers, and applied once.
type InboxMessage struct {
	ID      int64
	Module  string // the module that applies it: "pager"
	Key     string // what within the module it is for; "" for the pager
	Format  int    // payload format version
	Payload []byte // JSON
	Status  string
	Outcome []byte // JSON, once done
	Sender  string
	Created time.Time // the database's clock
	Done    time.Time
}

// InboxOutcome is what applying one message came to.
type InboxOutcome struct {
	ID      int64
	Outcome []byte
}

const (
	inboxCols     = `id, module, key, format, payload, status, outcome, sender, created_ms, done_ms`
	insertInbox   = `INSERT INTO cluster_inbox (module, key, format, payload, status, outcome, sender, created_ms, done_ms) VALUES (?, ?, ?, ?, 'pending', '', ?, NOW_MS, 0) RETURNING id`
	selectPending = `SELECT ` + inboxCols + ` FROM cluster_inbox WHERE status = 'pending' AND module = ?`
	finishInbox   = `UPDATE cluster_inbox SET status = 'done', outcome = ?, done_ms = NOW_MS WHERE id = ? AND status = 'pending'`
	pruneInbox    = `DELETE FROM cluster_inbox WHERE status = 'done' AND done_ms <= NOW_MS - ?`
)

// errInboxTaken says an inbox message was already applied: only a replica
// that lost its lease mid-batch can meet it, and it steps down.
var errInboxTaken = fmt.Errorf("%w: an inbox message was already applied", ErrFenced)

// AddInbox commits a message and wakes the replicas that apply its module.
// It returns the message's id.
func (s *Store) AddInbox(ctx context.Context, m InboxMessage) (int64, error) {
	defer s.observe("inbox_add", clock.Start())
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.d.rebind(s.d.now(insertInbox)), m.Module, m.Key, m.Format, string(m.Payload), m.Sender).Scan(&id)
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, m.Module)
	})
	if err != nil {
		return 0, fmt.Errorf("store: inbox: %w", err)
	}
	return id, nil
}

// PendingInbox returns up to limit messages of module not yet applied,
// oldest first; with keys, only those for one of them.
func (s *Store) PendingInbox(ctx context.Context, module string, keys []string, limit int) ([]InboxMessage, error) {
	defer s.observe("inbox_pending", clock.Start())
	q := selectPending
	args := []any{module}
	if keys != nil {
		if len(keys) == 0 {
			return nil, nil
		}
		q += ` AND key IN (?` + strings.Repeat(",?", len(keys)-1) + `)`
		for _, k := range keys {
			args = append(args, k)
		}
	}
	q += ` ORDER BY id LIMIT ?`
	out, err := queryRows(ctx, s.w, scanInbox, s.d.rebind(q), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: inbox %s: %w", module, err)
	}
	return out, nil
}

// finishInbox marks messages done in tx and wakes their senders when it
// commits; it returns how many were still pending.
func (s *Store) finishInbox(ctx context.Context, tx txn, outs []InboxOutcome) (int, error) {
	if len(outs) == 0 {
		return 0, nil
	}
	outs = slices.Clone(outs)
	slices.SortFunc(outs, func(a, b InboxOutcome) int { return int(a.ID - b.ID) })
	st, err := tx.PrepareContext(ctx, s.d.rebind(s.d.now(finishInbox)))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	n := 0
	for _, o := range outs {
		res, err := st.ExecContext(ctx, string(o.Outcome), o.ID)
		if err != nil {
			return 0, err
		}
		if k, err := res.RowsAffected(); err == nil {
			n += int(k)
		}
	}
	return n, s.notify(ctx, tx, "done")
}

// InboxOutcomes returns the outcome of each of ids that is done.
func (s *Store) InboxOutcomes(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	defer s.observe("inbox_outcomes", clock.Start())
	out := map[int64][]byte{}
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := s.d.rebind(`SELECT id, outcome FROM cluster_inbox WHERE status = 'done' AND id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`)
		rows, err := s.w.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("store: inbox outcomes: %w", err)
		}
		for rows.Next() {
			var id int64
			var o string
			if err := rows.Scan(&id, &o); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: inbox outcomes: %w", err)
			}
			out[id] = []byte(o)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, fmt.Errorf("store: inbox outcomes: %w", err)
		}
	}
	return out, nil
}

// PruneInbox deletes messages applied longer than keep ago.
func (s *Store) PruneInbox(ctx context.Context, keep time.Duration) (int64, error) {
	defer s.observe("inbox_prune", clock.Start())
	res, err := s.w.ExecContext(ctx, s.d.rebind(s.d.now(pruneInbox)), keep.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("store: prune inbox: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func scanInbox(sc scanner) (InboxMessage, error) {
	var m InboxMessage
	var payload, outcome string
	var created, done int64
	err := sc.Scan(&m.ID, &m.Module, &m.Key, &m.Format, &payload, &m.Status, &outcome, &m.Sender, &created, &done)
	m.Payload, m.Outcome = []byte(payload), []byte(outcome)
	m.Created, m.Done = fromMS(created), fromMS(done)
	return m, err
}
