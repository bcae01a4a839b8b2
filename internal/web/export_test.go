package web

import (
	"sync"
	"sync/atomic"
	"time"
)

type heldTimer struct{ stopped *atomic.Bool }

func (h heldTimer) Stop() bool { return !h.stopped.Swap(true) }

// HoldUploadExpiryForTest makes the hour an upload waits for its confirmation
// pass only when the returned pass is called; restore puts the clock back.
func HoldUploadExpiryForTest() (pass func(), restore func()) {
	type held struct {
		f       func()
		stopped *atomic.Bool
	}
	var mu sync.Mutex
	var pending []held
	prev := afterFunc
	afterFunc = func(_ time.Duration, f func()) stopper {
		mu.Lock()
		defer mu.Unlock()
		h := held{f: f, stopped: new(atomic.Bool)}
		pending = append(pending, h)
		return heldTimer{stopped: h.stopped}
	}
	pass = func() {
		mu.Lock()
		due := pending
		pending = nil
		mu.Unlock()
		for _, h := range due {
			if !h.stopped.Swap(true) {
				h.f()
			}
		}
	}
	return pass, func() { afterFunc = prev }
}
