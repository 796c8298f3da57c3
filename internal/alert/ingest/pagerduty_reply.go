package ingest

import (
	"encoding/json"
	"errors"
	"net/http"
)

// pdReply is the body of every Events API v2 response. The field order is
// PagerDuty's; clients parse by name, but people compare bodies by eye.
type pdReply struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key,omitempty"`
	Errors   []string `json:"errors,omitzero"` // omitzero keeps an empty, non-nil list
}

// PagerDuty's wording, from the Events API v2 reference (PagerDuty/api-schema,
// reference/events-v2/openapiv3.json) and from its responses as clients
// report them.
const (
	pdAccepted       = "success"
	pdProcessed      = "Event processed"
	pdInvalid        = "invalid event"
	pdInvalidMessage = "Event object is invalid"
	pdUnrecognized   = "Unrecognized object"
	pdUnrecognizedMs = "Event object format is unrecognized"
)

// PagerDutyAccepted is the body PagerDuty sends with 202 Accepted:
// {"status":"success","message":"Event processed","dedup_key":"..."}.
func PagerDutyAccepted(dedupKey string) []byte {
	return marshalReply(pdReply{Status: pdAccepted, Message: pdProcessed, DedupKey: dedupKey})
}

// PagerDutyInvalid is the body PagerDuty sends with 400 Bad Request for an
// event that is JSON but breaks the rules:
// {"status":"invalid event","message":"Event object is invalid","errors":[...]}.
func PagerDutyInvalid(errs []string) []byte {
	return marshalReply(pdReply{Status: pdInvalid, Message: pdInvalidMessage, Errors: nonEmpty(errs)})
}

// PagerDutyUnavailable is the body sent with 500 when the event could not
// be stored. PagerDuty documents no body for its 5xx answers; clients only
// need the status to retry, and the body says not to look at the event.
func PagerDutyUnavailable() []byte {
	return marshalReply(pdReply{Status: "error", Message: "Event could not be stored; retry", Errors: []string{"storage unavailable"}})
}

// PagerDutyUnrecognized is the body PagerDuty sends with 400 Bad Request for
// a body that is not a JSON object:
// {"status":"Unrecognized object","message":"Event object format is unrecognized","errors":[...]}.
func PagerDutyUnrecognized(errs []string) []byte {
	return marshalReply(pdReply{Status: pdUnrecognized, Message: pdUnrecognizedMs, Errors: nonEmpty(errs)})
}

// PagerDutyReply is the status and body PagerDuty would answer for the result
// of PagerDuty(): 202 with the dedup key on success, else 400 with the
// problems. Rate limiting (429) and storage failures (500, which clients
// retry) are the caller's to answer.
func PagerDutyReply(dedupKey string, err error) (int, []byte) {
	var errs Errors
	switch {
	case err == nil:
		return http.StatusAccepted, PagerDutyAccepted(dedupKey)
	case errors.Is(err, ErrUnknownRoutingKey):
		return http.StatusBadRequest, PagerDutyInvalid([]string{err.Error()})
	case errors.As(err, &errs) && errs.Malformed():
		return http.StatusBadRequest, PagerDutyUnrecognized(errs.Strings())
	case errors.As(err, &errs):
		return http.StatusBadRequest, PagerDutyInvalid(errs.Strings())
	}
	return http.StatusBadRequest, PagerDutyInvalid([]string{err.Error()})
}

// nonEmpty keeps "errors" in the body: PagerDuty always sends the list, and
// clients index into it.
func nonEmpty(errs []string) []string {
	if len(errs) == 0 {
		return []string{}
	}
	return errs
}

func marshalReply(r pdReply) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic("ingest: marshal PagerDuty reply: " + err.Error()) // strings always marshal
	}
	return b
}
