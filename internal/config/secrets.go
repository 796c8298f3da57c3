package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/vigil-sre/vigil/internal/secret"
)

var (
	secretType = reflect.TypeOf(secret.String{})
	dsnType    = reflect.TypeOf(secret.DSN{})
)

// resolveSecrets fills every secret field X from its sibling X_file when that is
// set. It works on any config type by reflection, so a new secret field only
// needs a matching _file field to get the feature.
func resolveSecrets(v reflect.Value, path string, f *file) []Problem {
	var ps []Problem
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			ps = append(ps, resolveSecrets(v.Elem(), path, f)...)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			ps = append(ps, resolveSecrets(v.Index(i), indexPath(path, i), f)...)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			name := yamlName(sf)
			if name == "" || !sf.IsExported() {
				continue
			}
			if sf.Type != secretType && sf.Type != dsnType {
				ps = append(ps, resolveSecrets(v.Field(i), childPath(path, name), f)...)
				continue
			}
			fileField, ok := fieldByYAMLName(v, name+"_file")
			if !ok || fileField.String() == "" {
				continue
			}
			filePath := childPath(path, name+"_file")
			if !v.Field(i).IsZero() {
				ps = append(ps, f.problem(filePath, true, "set either %s or %s_file, not both", name, name))
				continue
			}
			p := fileField.String()
			if !filepath.IsAbs(p) {
				p = filepath.Join(f.dir, p)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				// The path is config, not secret; the content is never printed.
				ps = append(ps, f.problem(filePath, false, "cannot read secret file: %v", err))
				continue
			}
			value := strings.TrimRight(string(b), "\r\n")
			if sf.Type == dsnType {
				v.Field(i).Set(reflect.ValueOf(secret.NewDSN(value)))
			} else {
				v.Field(i).Set(reflect.ValueOf(secret.New(value)))
			}
		}
	}
	return ps
}

func yamlName(sf reflect.StructField) string {
	tag := sf.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(sf.Name)
	}
	return name
}

func fieldByYAMLName(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if yamlName(t.Field(i)) == name && t.Field(i).Type.Kind() == reflect.String {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// clearFileSecrets empties every secret that was read from its _file sibling,
// so a dump names the file instead of printing a redacted value twice.
func clearFileSecrets(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			clearFileSecrets(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			clearFileSecrets(v.Index(i))
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			if sf.Type != secretType && sf.Type != dsnType {
				clearFileSecrets(v.Field(i))
				continue
			}
			if f, ok := fieldByYAMLName(v, yamlName(sf)+"_file"); ok && f.String() != "" {
				v.Field(i).Set(reflect.Zero(sf.Type))
			}
		}
	}
}
