package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/ioc"
	"github.com/msticgo/msticgo/table"
)

func init() {
	addCommand(func(a *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "ioc",
			Short: "Classify indicators and extract them from text (no provider is called)",
			Long: `Observable typing, cleaning and extraction, offline.

  classify  type, clean and check each value (refanged, normalised, with the
            reason a value would not be sent to a provider)
  extract   find every indicator in text (defanged forms too), de-duplicated,
            in order of appearance

See docs/observables.md for the rules.`,
		}
		cmd.AddCommand(iocClassifyCmd(a), iocExtractCmd(a))
		return cmd
	})
}

func typeCompletion(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, t := range ioc.Types() {
		out = append(out, string(t))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func iocClassifyCmd(a *App) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "classify [VALUE ...]",
		Short: "Type, clean and check indicators (stdin lines when no VALUE)",
		Long: `Type, clean and check each VALUE (or each non-empty line of stdin when no VALUE
is given): one row per value, in order, with columns Input, Type, Value (the
refanged, normalised key providers are asked about), Port (of an ADDR:PORT
input), Check (ok, invalid, not routable, unsupported) and Reason.

--type forces the type of every value: it is then judged as that type, never
re-typed. Invalid values are rows like the others; the exit code is 0.`,
		Example: `  msticgo ioc classify 8.8.8[.]8 hxxps://evil[.]com/x 10.0.0.1 bücher.de
  msticgo ioc classify --type dns update.sh
  cut -d, -f3 export.csv | msticgo ioc classify -o csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t := ioc.Unknown
			if typ != "" {
				pt, err := ioc.ParseType(typ)
				if err != nil {
					return UsageErrorf("--type: %w", err)
				}
				t = pt
			}
			values := args
			if len(values) == 0 {
				var err error
				if values, err = readLines(a.Stdin()); err != nil {
					return fmt.Errorf("ioc classify: reading stdin: %w", err)
				}
			}
			f := table.New(
				table.Column{Name: "Input", Type: table.String},
				table.Column{Name: "Type", Type: table.String},
				table.Column{Name: "Value", Type: table.String},
				table.Column{Name: "Port", Type: table.Int},
				table.Column{Name: "Check", Type: table.String},
				table.Column{Name: "Reason", Type: table.String},
			)
			for _, v := range values {
				o := ioc.Preprocess(v, t)
				var port any
				if o.Port != 0 {
					port = int64(o.Port)
				}
				f.Append(o.Input, string(o.Type), o.Value, port, o.Check.String(), o.Reason)
			}
			return a.Write(f)
		},
	}
	cmd.Flags().StringVarP(&typ, "type", "t", "", "judge every value as this type (ipv4, ipv6, ip, dns, hostname, url, md5_hash, sha1_hash, sha256_hash, file_hash, email, windows_path, linux_path, cidr; aliases such as domain, hash, md5)")
	_ = cmd.RegisterFlagCompletionFunc("type", typeCompletion)
	return cmd
}

// readLines returns the non-blank lines of r (a trailing \r is dropped).
func readLines(r io.Reader) ([]string, error) {
	r, err := utf16Text(r)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var out []string
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

func iocExtractCmd(a *App) *cobra.Command {
	var types []string
	var all bool
	cmd := &cobra.Command{
		Use:   "extract [FILE]",
		Short: "Find indicators in text (stdin when no FILE)",
		Long: `Find every indicator in FILE (or stdin when FILE is absent or "-"): IPv4 and
IPv6 addresses, networks, domains, URLs, e-mail addresses, MD5/SHA1/SHA256
hashes, Windows and Linux paths, written plainly or defanged (hxxp, [.], (.),
[dot], [at], [:]...). One row per distinct (Type, Value), in order of first
appearance, with Raw (as written), Line and Offset (byte offset) of that
first appearance, and Check/Reason (non-routable addresses are reported with
their class). A URL or e-mail address also yields its host or domain.`,
		Example: `  msticgo ioc extract report.txt
  msticgo ioc extract --types ipv4,dns,url -o csv < alert.txt
  msticgo ioc extract --types hash report.txt    # every hash type`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts []ioc.Option
			if len(types) > 0 {
				var ts []ioc.Type
				for _, s := range types {
					t, err := ioc.ParseType(s)
					if err != nil {
						return UsageErrorf("--types: %w", err)
					}
					if t == ioc.Unknown {
						return UsageErrorf("--types: %q is not a type that can be extracted", s)
					}
					ts = append(ts, t)
				}
				opts = append(opts, ioc.WithTypes(ts...))
			}
			if all {
				opts = append(opts, ioc.KeepDuplicates())
			}
			var data []byte
			var err error
			name := "stdin"
			if len(args) == 1 && args[0] != "-" {
				name = args[0]
				if data, err = readInput("ioc extract", name); err != nil {
					return err
				}
			} else if r, uerr := utf16Text(a.Stdin()); uerr != nil {
				return fmt.Errorf("ioc extract: reading stdin: %w", uerr)
			} else if data, err = io.ReadAll(r); err != nil {
				return fmt.Errorf("ioc extract: reading stdin: %w", err)
			}
			ms := ioc.Extract(string(data), opts...)
			a.Logger().Debug("extracted", "source", name, "bytes", len(data), "matches", len(ms))
			f := table.New(
				table.Column{Name: "Type", Type: table.String},
				table.Column{Name: "Value", Type: table.String},
				table.Column{Name: "Raw", Type: table.String},
				table.Column{Name: "Line", Type: table.Int},
				table.Column{Name: "Offset", Type: table.Int},
				table.Column{Name: "Check", Type: table.String},
				table.Column{Name: "Reason", Type: table.String},
			)
			for _, m := range ms {
				f.Append(string(m.Type), m.Value, m.Raw, int64(m.Line), int64(m.Offset), m.Check.String(), m.Reason)
			}
			return a.Write(f)
		},
	}
	cmd.Flags().StringSliceVar(&types, "types", nil, "report only these types, comma-separated (ip = ipv4+ipv6, hash = every hash type)")
	cmd.Flags().BoolVar(&all, "all", false, "report every occurrence, not only the first of each value")
	_ = cmd.RegisterFlagCompletionFunc("types", typeCompletion)
	return cmd
}
