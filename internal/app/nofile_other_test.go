//go:build !linux

package app

import "errors"

func lowerNoFile(string) error { return errors.New("only on Linux") }
