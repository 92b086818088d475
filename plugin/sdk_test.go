package plugin

import (
	osexec "os/exec"
	"testing"
)

// TestPythonSDK runs the Python SDK's own unit tests (sdk/python/tests).
func TestPythonSDK(t *testing.T) {
	py, err := osexec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	out, err := osexec.Command(py, "-m", "unittest", "discover", "-s", "../sdk/python/tests").CombinedOutput()
	if err != nil {
		t.Fatalf("python SDK tests failed: %v\n%s", err, out)
	}
}
