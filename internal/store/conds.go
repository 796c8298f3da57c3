package store

import (
	"strings"
	"time"
)

// conds gathers the conditions of a query's WHERE clause and their
// arguments, in order, so that each filter of a list reads as one line.
type conds struct {
	where []string
	args  []any
}

// add appends cond, with its arguments.
func (c *conds) add(cond string, args ...any) {
	c.where, c.args = append(c.where, cond), append(c.args, args...)
}

// eq adds col = v, unless v is empty (no filter).
func (c *conds) eq(col, v string) {
	if v != "" {
		c.add(col+` = ?`, v)
	}
}

// in adds col IN (vals), unless vals is empty.
func (c *conds) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	c.add(col+` IN (?`+strings.Repeat(",?", len(vals)-1)+`)`, args...)
}

// at adds col op t in unix milliseconds, unless t is zero.
func (c *conds) at(col, op string, t time.Time) {
	if !t.IsZero() {
		c.add(col+` `+op+` ?`, toMS(t))
	}
}

// sql is the WHERE clause, empty without conditions.
func (c *conds) sql() string {
	if len(c.where) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(c.where, ` AND `)
}

// clampLimit is a list's page size: def when n is not set, at most most.
func clampLimit(n, def, most int) int {
	switch {
	case n <= 0:
		return def
	case n > most:
		return most
	}
	return n
}
