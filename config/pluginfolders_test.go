package config

import (
	"path/filepath"
	"testing"
)

// PluginFolderList keeps each folder as written, resolved, and its line,
// so a problem can say how the folder was given and where.
func TestPluginFolderList(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "msticpyconfig.yaml")
	tests := []struct {
		name, text string
		want       []Folder
	}{
		{"list", "PluginFolders:\n  - ../badplug\n  - nosuchfolder\n", []Folder{
			{Written: "../badplug", Path: filepath.Join(filepath.Dir(dir), "badplug"), Line: 2},
			{Written: "nosuchfolder", Path: filepath.Join(dir, "nosuchfolder"), Line: 3},
		}},
		{"single", "\nPluginFolders: /abs/p\n", []Folder{{Written: "/abs/p", Path: "/abs/p", Line: 2}}},
		{"null", "PluginFolders:\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.text), file, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.PluginFolderList) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", c.PluginFolderList, tt.want)
			}
			for i, f := range c.PluginFolderList {
				if f != tt.want[i] {
					t.Errorf("[%d] %+v, want %+v", i, f, tt.want[i])
				}
				if c.PluginFolders[i] != f.Path {
					t.Errorf("PluginFolders[%d] %q, want %q", i, c.PluginFolders[i], f.Path)
				}
			}
		})
	}
}
