package deploy

import (
	"fmt"
	"strings"
)

// unpinned says why an image reference does not pin what runs, or "" when
// it does. A digest (@sha256:...) pins; so does a tag other than latest.
// The registry part may carry a port (localhost:5000/shop has no tag).
func unpinned(ref string) string {
	if _, digest, ok := strings.Cut(ref, "@"); ok {
		if algo, hex, ok := strings.Cut(digest, ":"); !ok || algo == "" || hex == "" {
			return fmt.Sprintf("image %s has a malformed digest (write @sha256:...)", clip(ref))
		}
		return ""
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	switch {
	case !ok || tag == "":
		return fmt.Sprintf("image %s has no tag, so it runs whatever :latest is at the time; pin a version tag or a digest", clip(ref))
	case tag == "latest":
		return fmt.Sprintf("image %s uses the latest tag; pin a version tag or a digest", clip(ref))
	}
	return ""
}
