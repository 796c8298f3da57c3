package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/vigil-sre/vigil/internal/errs"
)

// decodeBody reads a JSON request body of at most limit bytes into v,
// refusing fields v does not have. A body over the limit is a 413; any
// other problem a 400 that says where the body went wrong.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errs.E(errs.TooLarge, "body is larger than the %d KiB limit", limit>>10)
	case err != nil:
		return errs.E(errs.Invalid, "invalid JSON body: %s", jsonProblem(err))
	}
	return nil
}

// maxLinkForm caps the form a signed link posts: its who, exp and sig.
const maxLinkForm = 4 << 10

// parseLinkForm reads the query and form of a signed link, a 413 above
// maxLinkForm and a 400 when malformed.
func parseLinkForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxLinkForm)
	err := r.ParseForm()
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errs.E(errs.TooLarge, "form is larger than %d KiB", maxLinkForm>>10)
	case err != nil:
		return errs.E(errs.Invalid, "malformed form")
	}
	return nil
}
