package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Options adjust loading; the zero value reads the process environment.
type Options struct {
	// LookupEnv resolves ${NAME}; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// BaseDir, when set, is where relative paths resolve instead of each
	// file's own directory (for config that is not read from a file).
	BaseDir string
}

// Load reads a config file, or every *.yaml and *.yml file in a directory in
// name order, and returns it validated. The error is Problems when the config
// itself is wrong.
func Load(path string, opt Options) (*Config, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	names := []string{path}
	if st.IsDir() {
		names = nil
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				names = append(names, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: no .yaml or .yml files in the directory", path)
		}
	}
	srcs := make([]source, len(names))
	for i, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		srcs[i] = source{name: n, data: b}
	}
	return load(srcs, opt)
}

// Parse loads config from memory; name is used in problems and relative paths
// resolve against its directory.
func Parse(name string, data []byte, opt Options) (*Config, error) {
	return load([]source{{name: name, data: data}}, opt)
}

type source struct {
	name string
	data []byte
}

func load(srcs []source, opt Options) (*Config, error) {
	if opt.LookupEnv == nil {
		opt.LookupEnv = os.LookupEnv
	}
	v, err := compiledValidator()
	if err != nil {
		return nil, fmt.Errorf("config schema: %w", err)
	}
	var problems Problems
	var parts []*Config
	var files []*file
	decoded := true
	for _, s := range srcs {
		c, f, ps := parseFile(s, v, opt)
		problems = append(problems, ps...)
		if c == nil {
			decoded = false
			continue
		}
		parts = append(parts, c)
		files = append(files, f)
	}
	defer func() {
		for _, f := range files {
			f.release()
		}
	}()
	// Semantic checks need every file decoded; they run even after schema
	// problems, so one pass reports as much as can be known.
	if decoded {
		cfg, ps := merge(parts, files)
		problems = append(problems, ps...)
		applyDefaults(cfg)
		semantic, warnings := validate(cfg)
		problems = append(problems, dropShadowed(semantic, problems)...)
		if len(problems) == 0 {
			for _, s := range srcs {
				cfg.Files = append(cfg.Files, s.name)
			}
			for i, f := range files {
				if f.value == nil {
					cfg.emptyFiles = append(cfg.emptyFiles, srcs[i].name)
					warnings = append(warnings, Problem{File: srcs[i].name, Line: 1, Column: 1,
						Message: "the file is empty (no YAML document): nothing in it is configured"})
				}
			}
			cfg.Warnings = Problems(warnings).sorted()
			return cfg, nil
		}
	}
	return nil, problems.sorted()
}

// parseFile turns one file into a Config and the problems found in it. The
// Config is nil when the file could not be decoded at all.
func parseFile(s source, v *validator, opt Options) (*Config, *file, []Problem) {
	f := &file{name: s.name, dir: filepath.Dir(s.name), lookup: opt.LookupEnv}
	if opt.BaseDir != "" {
		f.dir = opt.BaseDir
	}
	// Editors on Windows may start a file with a byte order mark; YAML
	// allows one, and it would otherwise become part of the first key.
	astFile, err := parser.ParseBytes(bytes.TrimPrefix(s.data, []byte("\xef\xbb\xbf")), 0)
	if err != nil {
		return nil, nil, []Problem{yamlProblem(f, err)}
	}
	if len(astFile.Docs) > 1 {
		tk := astFile.Docs[1].GetToken()
		if astFile.Docs[1].Start != nil {
			tk = astFile.Docs[1].Start
		}
		return nil, nil, []Problem{{File: f.name, Line: tk.Position.Line, Column: tk.Position.Column,
			Message: "only one YAML document per file; put more config in more files of a directory"}}
	}
	if len(astFile.Docs) == 0 || astFile.Docs[0].Body == nil {
		c := &Config{}
		c.setOrigins(f)
		return c, f, nil
	}
	f.body = astFile.Docs[0].Body
	ps := f.index()
	ps = append(ps, v.validate(f)...)
	// Decode from the value tree: it holds the expanded values with anchors
	// resolved, and decoding it is linear, whereas the YAML library re-formats
	// the whole file for every value that unmarshals itself from text.
	// A value the schema refused fails to decode too; the other fields are
	// still filled, so semantic checks can go on and report the rest.
	var c Config
	if err := decodeValue(f.value, &c); err != nil && len(ps) == 0 {
		return nil, nil, append(ps, yamlProblem(f, err))
	}
	ps = append(ps, resolveSecrets(reflect.ValueOf(&c).Elem(), "", f)...)
	c.setOrigins(f)
	return &c, f, ps
}

// dropShadowed removes semantic problems about a field that already has a
// problem, or sits inside one: a missing id need not also be an unknown one,
// and a secret whose _file cannot be read is not also missing.
func dropShadowed(semantic, found []Problem) []Problem {
	out := semantic[:0]
	for _, p := range semantic {
		shadowed := false
		for _, f := range found {
			if f.File == p.File && (p.Field == f.Field || p.Field+"_file" == f.Field ||
				strings.HasPrefix(p.Field, f.Field+".") || strings.HasPrefix(p.Field, f.Field+"[")) {
				shadowed = true
				break
			}
		}
		if !shadowed {
			out = append(out, p)
		}
	}
	return out
}

// yamlProblem locates an error from the YAML library. Only its message is
// kept: the library's source excerpt could show a secret.
func yamlProblem(f *file, err error) Problem {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		tk := ye.GetToken()
		return Problem{File: f.name, Line: tk.Position.Line, Column: tk.Position.Column, Message: "YAML: " + ye.GetMessage()}
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return Problem{File: f.name, Line: 1, Column: 1, Message: msg}
}

// merge joins the files of a directory: lists are concatenated, and global
// may be set in one file only.
func merge(parts []*Config, files []*file) (*Config, []Problem) {
	if len(parts) == 1 {
		return parts[0], nil
	}
	out := &Config{globalAt: parts[0].globalAt}
	var ps []Problem
	globalFrom, authFrom := "", ""
	out.Auth.at = parts[0].Auth.at
	for i, p := range parts {
		if !p.Auth.empty() {
			if authFrom != "" {
				ps = append(ps, files[i].problem("auth", true, "auth is already set in %s; set it in one file only", authFrom))
			}
			authFrom = files[i].name
			out.Auth = p.Auth
		}
		if p.Global != (Global{}) {
			if globalFrom != "" {
				ps = append(ps, files[i].problem("global", true, "global is already set in %s; set it in one file only", globalFrom))
			}
			globalFrom = files[i].name
			out.Global, out.globalAt = p.Global, p.globalAt
		}
		out.People = append(out.People, p.People...)
		out.Teams = append(out.Teams, p.Teams...)
		out.Schedules = append(out.Schedules, p.Schedules...)
		out.Escalations = append(out.Escalations, p.Escalations...)
		out.Channels = append(out.Channels, p.Channels...)
		out.TimeIntervals = append(out.TimeIntervals, p.TimeIntervals...)
		out.Services = append(out.Services, p.Services...)
		out.Integrations = append(out.Integrations, p.Integrations...)
		out.Tokens = append(out.Tokens, p.Tokens...)
		out.Routes = append(out.Routes, p.Routes...)
		out.Inhibit = append(out.Inhibit, p.Inhibit...)
		out.Maintenance = append(out.Maintenance, p.Maintenance...)
		out.Runbooks = append(out.Runbooks, p.Runbooks...)
		out.Toil = append(out.Toil, p.Toil...)
		out.Reports = append(out.Reports, p.Reports...)
	}
	return out, ps
}

// decodeValue fills c from the value tree. The tree was already checked
// against the schema, so this only maps values onto fields by their yaml names.
func decodeValue(v any, c *Config) error {
	if v == nil {
		return nil
	}
	d, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		TagName:     "yaml",
		ErrorUnused: true,
		DecodeHook:  mapstructure.TextUnmarshallerHookFunc(),
		Result:      c,
	})
	if err != nil {
		return err
	}
	return d.Decode(v)
}
