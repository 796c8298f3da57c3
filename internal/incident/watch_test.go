package incident

import "testing"

// TestWatch: a follower gets one signal for any number of changes it has
// not read yet, only for its incident, and none once it stops following.
func TestWatch(t *testing.T) {
	s := New(Deps{})
	a, cancelA := s.Watch(1)
	b, cancelB := s.Watch(2)
	defer cancelB()
	s.changed(1)
	s.changed(1)
	select {
	case <-a:
	default:
		t.Fatal("no signal after a change")
	}
	select {
	case <-a:
		t.Fatal("two changes unread gave two signals")
	case <-b:
		t.Fatal("another incident's follower was signalled")
	default:
	}
	cancelA()
	s.changed(1)
	select {
	case <-a:
		t.Fatal("signalled after cancel")
	default:
	}
	if len(s.watch.subs) != 1 {
		t.Errorf("followers left behind: %v", s.watch.subs)
	}
}
