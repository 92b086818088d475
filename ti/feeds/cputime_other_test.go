//go:build !unix

package feeds

import "time"

// cpuTime is not measured here; reportRates then reports wall time only.
func cpuTime() time.Duration { return 0 }
